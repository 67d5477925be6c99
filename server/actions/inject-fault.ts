"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { findRunPlace } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";
import { writeAudit } from "../db/audit-log.ts";
import { actionResult, type ActionResult } from "./result.ts";

const ZInjectFaultInput = z.object({
  runId: z.string().uuid(),
  side: z.enum(["baseline", "canary"]).default("canary"),
  errorRate: z.coerce.number().min(0, "0–100%").max(1, "0–100%"),
  latencyMs: z.coerce.number().int().min(0).max(10_000, "At most 10,000 ms"),
  latencyMode: z.enum(["all", "tail"]).default("all"),
  memoryMbPerMin: z.coerce.number().min(0).max(1_000, "At most 1,000 MB/min"),
});

/**
 * Injects a fault into one version of the demo fleet (admins and release managers), to watch
 * the analysis catch it. Only the demo's own service; audited.
 */
export async function injectFaultAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "run.create");
    const parsed = ZInjectFaultInput.parse(input);
    const demo = appContext().demo;
    const run = await findRunPlace(db(), parsed.runId);
    if (!demo || !run || run.service !== demo.service || run.environment !== demo.environment) {
      throw new AppError("BAD_REQUEST", { message: "fault injection outside the demo fleet", userMessage: "Faults can only be injected into the demo fleet's runs." });
    }
    const { runId, side, ...fault } = parsed;
    await demo.setFault(side, fault);
    await db().$transaction((tx) =>
      writeAudit(tx, { actor: user, action: "demo.fault", runId, summary: `Injected fault into the ${side}: ${Math.round(fault.errorRate * 100)}% errors, +${fault.latencyMs} ms (${fault.latencyMode}), ${fault.memoryMbPerMin} MB/min memory growth` }),
    );
    return null;
  });
}
