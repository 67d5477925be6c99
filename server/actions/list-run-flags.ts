"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { ENVIRONMENTS } from "../core/types.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { flagsForNewRun, type RunnableFlag } from "../services/flag-runs.ts";
import { actionResult, type ActionResult } from "./result.ts";

const ZListRunFlagsInput = z.object({ serviceId: z.string().uuid("Choose a service"), environment: z.enum(ENVIRONMENTS, { message: "Choose staging or production" }) });

/** The flags New run may roll out in a service's environment (whoever may create runs). */
export async function listRunFlagsAction(input: unknown): Promise<ActionResult<{ flags: RunnableFlag[] }>> {
  return actionResult(async () => {
    await requirePermission(await headers(), "run.create");
    const { serviceId, environment } = ZListRunFlagsInput.parse(input);
    const flags = await flagsForNewRun(db(), serviceId, environment);
    if (!flags) throw new AppError("NOT_FOUND", { message: `no ${environment} for service ${serviceId}`, userMessage: `This service has no ${environment} environment configured.` });
    return { flags };
  });
}
