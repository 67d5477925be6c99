/**
 * Each trigger's evaluation of one window: the numbers and a sentence a release manager can act on.
 * Bad input (counts that do not add up, a missing sketch) is never a pass: it is "insufficient".
 */
import { eProcessFor, requiredSamples } from "./e-process.ts";
import { count, evidence, ms, percent } from "./format.ts";
import type {
  BusinessMetricTrigger,
  ErrorRateTrigger,
  GaugeTrigger,
  LatencyTrigger,
  QuantileName,
  RuleEvaluation,
  SequentialEvaluation,
  TriggerId,
  WindowTotals,
} from "./triggers.ts";

/** The error-rate test at the rollback level, and at the hold level when configured. */
export function evaluateErrorRate(trigger: ErrorRateTrigger, totals: WindowTotals, alpha: number): SequentialEvaluation[] {
  const { requests, errors } = totals.canary;
  const baseline = totals.baseline.requests > 0 ? totals.baseline.errors / totals.baseline.requests : null;
  const levels = [
    { trigger: "error-rate" as const, level: "rollback" as const, p0: trigger.rollbackAbove, pAlt: trigger.detectAtLeast, name: "threshold" },
    ...(trigger.holdAbove === null
      ? []
      : [{ trigger: "error-rate-hold" as const, level: "hold" as const, p0: trigger.holdAbove, pAlt: 2 * trigger.holdAbove, name: "hold level" }]),
  ];
  return levels.map((l) =>
    sequential({
      ...l,
      n: requests,
      k: errors,
      alpha,
      baselineFigure: baseline,
      unit: "requests",
      what: "the error rate",
      describe: (rate) => `Canary error rate ${percent(rate)} (${count(errors)} of ${count(requests)}) vs ${l.name} ${percent(l.p0)}`,
    }),
  );
}

/** Share of canary requests slower than factor × the baseline quantile, against 1 − quantile. */
export function evaluateLatency(trigger: LatencyTrigger, totals: WindowTotals, alpha: number): SequentialEvaluation {
  const name: QuantileName = trigger.quantile === 0.95 ? "p95" : "p99";
  const id: TriggerId = name === "p95" ? "latency-p95" : "latency-p99";
  const p0 = 1 - trigger.quantile;
  const baselineMs = totals.baseline.latencyMs[name];
  const slower = totals.canarySlowerThan[name];
  const n = totals.canary.requests;
  const common = { trigger: id, level: "rollback" as const, p0, pAlt: trigger.detectAtLeast, n, alpha, baselineFigure: baselineMs, unit: "requests" };
  const ruleMs = baselineMs === null ? null : trigger.factor * baselineMs;

  if (n > 0 && (ruleMs === null || slower === null)) {
    const missing = ruleMs === null ? `baseline ${name}` : `count of canary requests slower than ${trigger.factor} × baseline ${name}`;
    return unavailable(common, `No ${name} latency data yet (no ${missing}) → insufficient evidence`);
  }
  // A count taken against a lower threshold than the rule's would overstate the slow share and
  // could roll back a healthy canary; a slightly stale baseline quantile (≤ 1%) is tolerated.
  if (slower !== null && ruleMs !== null && slower.thresholdMs < ruleMs * 0.99) {
    return unavailable(
      common,
      `Canary requests were counted above ${ms(slower.thresholdMs)}, below the rule's ${ms(ruleMs)} (${trigger.factor} × baseline ${name} ${ms(ruleMs / trigger.factor)}) → insufficient evidence`,
    );
  }
  const k = slower?.count ?? 0;
  const threshold = slower?.thresholdMs ?? ruleMs ?? 0;
  return sequential({
    ...common,
    k,
    what: `${name} latency`,
    describe: (rate) =>
      `Canary requests slower than ${ms(threshold)} (${trigger.factor} × baseline ${name} ${ms(baselineMs ?? 0)}): ${percent(rate)} (${count(k)} of ${count(n)}) vs allowed ${percent(p0)}`,
  });
}

/**
 * Attempts that did not convert, against 1 − floor, floor = baseline rate × (1 − allowedDrop).
 * The baseline rate is itself an estimate: its 99.5% lower confidence bound (Wilson) is used, so
 * noise in a small baseline cannot set the floor too high and roll back a healthy canary.
 */
export function evaluateBusinessMetric(trigger: BusinessMetricTrigger, totals: WindowTotals, alpha: number): SequentialEvaluation {
  const { attempts, conversions } = totals.canary;
  const base = totals.baseline;
  const baselineRate = base.attempts > 0 ? base.conversions / base.attempts : null;
  const bound = base.attempts > 0 && base.conversions <= base.attempts ? wilsonLower(base.conversions, base.attempts, 2.576) : 0;
  const floor = bound * (1 - trigger.allowedDrop);
  const k = attempts - conversions;
  const common = { trigger: "business-metric" as const, level: "rollback" as const, n: attempts, alpha, baselineFigure: baselineRate, unit: "attempts" };
  if (!(floor > 0 && floor < 1)) {
    return unavailable(
      { ...common, p0: 1, pAlt: 1 },
      `${trigger.name}: the baseline has too few conversions (${count(base.conversions)} of ${count(base.attempts)}) to set a floor → insufficient evidence`,
    );
  }
  const p0 = 1 - floor;
  const pAlt = 1 - bound * (1 - trigger.detectDrop);
  return sequential({
    ...common,
    k,
    p0,
    pAlt,
    what: trigger.name.toLowerCase(),
    describe: (rate) =>
      `${trigger.name} on canary ${percent(1 - rate)} (${count(conversions)} of ${count(attempts)}) vs floor ${percent(floor)} (baseline ${percent(baselineRate ?? 0)}, allowed drop ${percent(trigger.allowedDrop)})`,
  });
}

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

type Test = {
  trigger: TriggerId;
  level: "rollback" | "hold";
  p0: number;
  /** the smallest regression the minimum sample is sized for */
  pAlt: number;
  n: number;
  alpha: number;
  baselineFigure: number | null;
  /** what n counts, plural */
  unit: string;
};

/** Runs the e-process and words the outcome. */
function sequential(test: Test & { k: number; what: string; describe: (rate: number) => string }): SequentialEvaluation {
  const { trigger, level, p0, pAlt, n, k, alpha, baselineFigure, unit } = test;
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) {
    return unavailable(test, `Inconsistent counts for ${test.what}: ${count(k)} bad of ${count(n)} ${unit} → insufficient evidence`);
  }
  const logThreshold = Math.log(1 / alpha);
  const minSamples = requiredSamples(p0, pAlt, alpha);
  const record = { method: "e-process" as const, trigger, level, n, k, p0, baselineFigure, logThreshold, alpha, minSamples };
  if (n === 0) {
    const message = `No canary ${unit} yet for ${test.what} (${count(minSamples)} needed) → insufficient evidence`;
    return { ...record, verdict: "insufficient", observedRate: null, logE: 0, message };
  }
  const logE = eProcessFor(p0).logE(n, k);
  const observedRate = k / n;
  const fired = logE >= logThreshold;
  const verdict = fired ? level : n < minSamples ? "insufficient" : "pass";
  const against = `evidence ${evidence(logE)} ${fired ? "≥" : "<"} ${evidence(logThreshold)}`;
  const outcome =
    verdict === "rollback"
      ? "→ roll back"
      : verdict === "hold"
        ? "→ hold for a human"
        : verdict === "insufficient"
          ? `after ${count(n)} of the ${count(minSamples)} ${unit} needed → insufficient evidence`
          : `after ${count(n)} ${unit} (${count(minSamples)} needed) → pass`;
  return { ...record, verdict, observedRate, logE, message: `${test.describe(observedRate)}: ${against} ${outcome}` };
}

/** The test could not run on this window's data: insufficient, with the reason, never a pass. */
function unavailable(test: Test, message: string): SequentialEvaluation {
  const { trigger, level, p0, pAlt, n, alpha, baselineFigure } = test;
  const minSamples = p0 > 0 && p0 < 1 && pAlt < 1 ? requiredSamples(p0, pAlt, alpha) : Infinity;
  return {
    method: "e-process",
    trigger,
    level,
    verdict: "insufficient",
    n,
    k: 0,
    p0,
    observedRate: null,
    baselineFigure,
    logE: 0,
    logThreshold: Math.log(1 / alpha),
    alpha,
    minSamples,
    message,
  };
}

/** Wilson score lower bound for a binomial proportion at z standard deviations. */
function wilsonLower(successes: number, trials: number, z: number): number {
  const rate = successes / trials;
  const z2 = z * z;
  const centre = rate + z2 / (2 * trials);
  const spread = z * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - spread) / (1 + z2 / trials));
}
