"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { findRunPlace, flagOfRun } from "../db/run-repository.ts";
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
  /**
   * A flag run's target (issue 15): only users served this variant of the run's flag see the
   * fault, whichever process serves them; absent: the `side` process, every user.
   */
  variant: z.string().trim().min(1).max(64).optional(),
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
    const { runId, side, region, variant, ...rest } = parsed;
    const fault = { ...rest, ...(variant !== undefined ? { variant } : {}) };
    const onFleet = demo && run && run.service === demo.service && (region ? demo.regions.includes(region) && run.environment === "production" : run.environment === demo.environment || (variant !== undefined && run.environment === "production"));
    if (!demo || !onFleet) {
      throw new AppError("BAD_REQUEST", {
        message: "fault injection outside the demo fleet",
        userMessage: region ? `Faults can only be injected into a demo production run's regions (${demo?.regions.join(", ") || "none"}).` : "Faults can only be injected into the demo fleet's runs.",
      });
    }
    if (variant !== undefined) {
      const flag = await flagOfRun(db(), runId);
      if (!flag) throw new AppError("BAD_REQUEST", { message: "variant fault on a version run", userMessage: "Only a flag run's fault can target a flag variant.", fieldErrors: { variant: ["Only a flag run's fault can target a flag variant"] } });
      if (variant !== flag.variant && variant !== flag.baseline) {
        throw new AppError("BAD_REQUEST", { message: `variant ${variant} not in run`, userMessage: `This run rolls ${flag.key} from ${flag.baseline ?? "its default"} to ${flag.variant}; choose one of those.`, fieldErrors: { variant: [`Choose ${flag.variant} or ${flag.baseline ?? "the default"}`] } });
      }
      // The flag's users are spread over every process of the environment (and every region of
      // production): the fault goes to all of them, and each spares users of other variants.
      if (run.environment === "production" && demo.regions.length > 0) await Promise.all(demo.regions.map((r) => demo.setFault("canary", fault, r)));
      else await demo.setFault("canary", fault);
    } else {
      await demo.setFault(side, fault, region);
    }
    const where = variant !== undefined ? `users served ${variant}` : `the ${side}${region ? ` in ${region}` : ""}`;
    await db().$transaction((tx) =>
      writeAudit(tx, { actor: user, action: "demo.fault", runId, summary: `Injected fault into ${where}: ${Math.round(fault.errorRate * 100)}% errors, +${fault.latencyMs} ms (${fault.latencyMode}), ${fault.memoryMbPerMin} MB/min memory growth` }),
    );
    return null;
  });
}
