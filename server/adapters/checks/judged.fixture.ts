import { judgeAgent, reportFrom, type AgentVerdict } from "../../core/judge.ts";
import { policyFor } from "../../core/policy.ts";
import type { Severity } from "../../core/types.ts";
import type { CheckContext, CheckResult, CheckRunner } from "../../engine/ports.ts";

/** A runner's report judged as the run page shows it: `summary` is the core's verdict line, `measured` the runner's own. */
export type Judged = CheckResult & { status: AgentVerdict["status"]; measured: string };

/**
 * Judges a runner's report the way the engine does (core/judge.ts). The runner tests use a policy
 * where high findings block (production under PCI DSS), so "failed" reads as it does at the
 * strictest gate; the judge's own tests cover the other floors.
 */
export function judged<R extends CheckResult>(result: R, blockingSeverity: Severity = "high"): R & Judged {
  const policy = { ...policyFor("low", "none", "production"), blockingSeverity };
  const verdict = judgeAgent(reportFrom(result), policy);
  return { ...result, status: verdict.status, summary: verdict.summary, measured: result.summary };
}

/** Runs a runner and judges its report (see judged). */
export async function judgedRun(runner: CheckRunner, ctx: CheckContext, blockingSeverity: Severity = "high"): Promise<Judged> {
  return judged(await runner.run(ctx), blockingSeverity);
}
