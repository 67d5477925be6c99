"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateEnvironment } from "../services/services-and-environments.ts";
import { ZEnvironmentInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Changes an environment's hold scale (admins). */
export async function updateEnvironmentAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateEnvironment(db(), user, ZEnvironmentInput.parse(input));
    return null;
  });
}
