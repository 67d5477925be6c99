/**
 * The hard rules: CPU and memory against the environment's limits, and security signals. No
 * statistics: a count against a limit, and a sentence a release manager can act on.
 */
import { count } from "./format.ts";
import type { GaugeTrigger, WindowTotals } from "./triggers.ts";
import type { RuleEvaluation } from "./evaluation.ts";

/** CPU or memory: the longest run of samples above the limit, against the consecutive count. */
export function evaluateGauge(trigger: GaugeTrigger, totals: WindowTotals): RuleEvaluation {
  const samples = trigger.resource === "cpu" ? totals.canary.cpuPercent : totals.canary.memoryPercent;
  const label = trigger.resource === "cpu" ? "CPU" : "memory";
  let longest = 0;
  let run = 0;
  for (const sample of samples) {
    run = sample > trigger.limitPercent ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const base = { method: "rule" as const, trigger: trigger.resource, n: samples.length, k: longest, limit: trigger.consecutive };
  if (longest >= trigger.consecutive) {
    const peak = samples.reduce((max, sample) => Math.max(max, sample), -Infinity);
    return {
      ...base,
      verdict: "rollback",
      message: `Canary ${label} above ${trigger.limitPercent}% of its limit for ${longest} consecutive samples (peak ${Math.round(peak)}%; ${trigger.consecutive} roll back) → roll back`,
    };
  }
  if (samples.length === 0) return { ...base, verdict: "insufficient", message: `No canary ${label} samples yet → insufficient evidence` };
  return {
    ...base,
    verdict: "pass",
    message: `Canary ${label} within its limit: longest run above ${trigger.limitPercent}% is ${longest} of ${count(samples.length)} samples, ${trigger.consecutive} consecutive roll back → pass`,
  };
}

/** Any security signal rolls back, quoting it. */
export function evaluateSecurity(totals: WindowTotals): RuleEvaluation {
  const signals = totals.securitySignals;
  const base = { method: "rule" as const, trigger: "security" as const, n: signals.length, k: signals.length, limit: 1 };
  const [first] = signals;
  if (!first) return { ...base, verdict: "pass", message: "No security signals → pass" };
  const more = signals.length > 1 ? ` (and ${signals.length - 1} more)` : "";
  return { ...base, verdict: "rollback", message: `Security signal from ${first.source}: ${first.message}${more} → roll back` };
}
