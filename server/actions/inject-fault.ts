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
  /** a production run's region: the fault shows there only (issue 15) */
  region: z.string().min(1).max(64).optional(),
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
    const { runId, side, region, ...fault } = parsed;
    const onFleet = demo && run && run.service === demo.service && (region ? demo.regions.includes(region) && run.environment === "production" : run.environment === demo.environment);
    if (!demo || !onFleet) {
      throw new AppError("BAD_REQUEST", {
        message: "fault injection outside the demo fleet",
        userMessage: region ? `Faults can only be injected into a demo production run's regions (${demo?.regions.join(", ") || "none"}).` : "Faults can only be injected into the demo fleet's runs.",
      });
    }
    await demo.setFault(side, fault, region);
    await db().$transaction((tx) =>
      writeAudit(tx, { actor: user, action: "demo.fault", runId, summary: `Injected fault into the ${side}${region ? ` in ${region}` : ""}: ${Math.round(fault.errorRate * 100)}% errors, +${fault.latencyMs} ms (${fault.latencyMode}), ${fault.memoryMbPerMin} MB/min memory growth` }),
    );
    return null;
  });
}
