/**
 * The statistical tests a config runs, each as data: what counts as a bad event, its null p0,
 * how it reads a batch, and how it words its numbers. The error rate, latency and business
 * triggers are all the same Bernoulli question with a different "bad" (STATISTICS.md).
 */
import { count, ms, percent } from "./format.ts";
import { levelOf, testsOf } from "./plan.ts";
import type { AnalysisConfig, CanaryBatch, LatencyTestId, LatencyTrigger, QuantileName, SequentialTestId, TriggerConfig, WindowTotals } from "./triggers.ts";

/** What a test makes of one batch: counts, nothing to count, or counts it cannot trust. */
export type BatchCounts = { n: number; k: number } | { none: string } | { garbage: string };

/** One statistical test, ready to read batches. */
export type TestSpec = {
  id: SequentialTestId;
  level: "rollback" | "hold";
  /** the null hypothesis P(bad) ≤ p0; null while it cannot be set (a business metric's baseline is too small) */
  p0: number | null;
  /** the smallest bad rate a step must be able to catch before it is promoted */
  pAlt: number;
  /** what n counts, plural */
  unit: "requests" | "attempts";
  /** whether a step waits for this test's evidence of health before it is promoted */
  gatesPromotion: boolean;
  /** the baseline's figure, for context */
  baselineFigure: number | null;
  /** this test's bad events in a batch */
  read(batch: CanaryBatch): BatchCounts;
  /** "Canary errors 48% (23 of 48)": the rate in the window with its counts and context */
  describe(n: number, k: number): string;
  /** why the test has no verdict yet, when p0 is null */
  unavailable?: string;
};

const consistent = (n: number, k: number) => Number.isInteger(n) && Number.isInteger(k) && n >= 0 && k >= 0 && k <= n;

/** The canary batch's request counts, or why they cannot be used. */
export function readRequests(batch: CanaryBatch): BatchCounts {
  if (!consistent(batch.requests, batch.errors)) return { garbage: `${batch.errors} errors reported for ${batch.requests} requests` };
  if (batch.requests === 0) return { none: "no canary requests" };
  return { n: batch.requests, k: batch.errors };
}

/**
 * Latency thresholds for this batch: factor × the baseline's quantile (the baseline counts since
 * the rollout began, so it moves slowly); absent while the baseline has no data.
 */
export function latencyThresholds(config: AnalysisConfig, baselineMs: Record<QuantileName, number | null>): Partial<Record<LatencyTestId, number>> {
  const out: Partial<Record<LatencyTestId, number>> = {};
  for (const t of config.triggers) {
    if (t.kind !== "latency") continue;
    const base = baselineMs[t.quantile === 0.95 ? "p95" : "p99"];
    if (base === null || !(base > 0)) continue;
    if (t.quantile === 0.99) out["latency-p99"] = t.factor * base;
    else {
      out["latency-p95"] = t.factor * base;
      if (t.hold) out["latency-p95-hold"] = t.hold.factor * base;
    }
  }
  return out;
}

/** Every statistical test the config runs, given the baseline as it stands. */
export function testSpecs(config: AnalysisConfig, totals: WindowTotals, frozenP0: Partial<Record<SequentialTestId, number>>): TestSpec[] {
  return config.triggers.flatMap((trigger) => testsOf(trigger).map((id) => specFor(id, trigger, totals, frozenP0[id] ?? null)));
}

function specFor(id: SequentialTestId, trigger: TriggerConfig, totals: WindowTotals, frozen: number | null): TestSpec {
  const level = levelOf(id);
  const base = totals.baseline;
  switch (trigger.kind) {
    case "errorRate": {
      const hold = id === "error-rate-hold";
      const p0 = hold ? (trigger.holdAbove ?? trigger.rollbackAbove) : trigger.rollbackAbove;
      const baseline = base.requests > 0 ? base.errors / base.requests : null;
      return {
        id,
        level,
        p0,
        pAlt: hold ? 2 * p0 : trigger.detectAtLeast,
        unit: "requests",
        gatesPromotion: !hold,
        baselineFigure: baseline,
        read: readRequests,
        describe: (n, k) =>
          `Canary errors ${percent(n > 0 ? k / n : 0)} (${count(k)} of ${count(n)})${baseline === null ? "" : `, baseline ${percent(baseline)}`}; ${hold ? "hold level" : "threshold"} ${percent(p0)}`,
      };
    }
    case "latency":
      return latencySpec(id as LatencyTestId, trigger, totals);
    case "businessMetric": {
      const rate = base.attempts > 0 ? base.conversions / base.attempts : null;
      const bound = base.attempts > 0 && base.conversions <= base.attempts ? wilsonLower(base.conversions, base.attempts, 2.576) : 0;
      const floor = bound * (1 - trigger.allowedDrop);
      const p0 = frozen ?? (floor > 0 && floor < 1 ? 1 - floor : null);
      const shownFloor = p0 === null ? floor : 1 - p0;
      return {
        id,
        level,
        p0,
        pAlt: p0 === null ? 1 : Math.min(0.999, 1 - bound * (1 - trigger.detectDrop)),
        unit: "attempts",
        gatesPromotion: false,
        baselineFigure: rate,
        read: (b) => {
          if (!consistent(b.attempts, b.attempts - b.conversions)) return { garbage: `${b.conversions} conversions reported for ${b.attempts} attempts` };
          if (b.attempts === 0) return { none: "no canary attempts" };
          return { n: b.attempts, k: b.attempts - b.conversions };
        },
        describe: (n, k) =>
          `${trigger.name} on canary ${percent(n > 0 ? 1 - k / n : 0)} (${count(n - k)} of ${count(n)}) vs floor ${percent(shownFloor)} (baseline ${percent(rate ?? 0)}, allowed drop ${percent(trigger.allowedDrop)})`,
        ...(p0 === null
          ? { unavailable: `${trigger.name}: the baseline has too few conversions (${count(base.conversions)} of ${count(base.attempts)}) to set a floor` }
          : {}),
      };
    }
    case "gauge":
    case "securitySignal":
      throw new Error(`${trigger.kind} is not a statistical test`);
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

function latencySpec(id: LatencyTestId, trigger: LatencyTrigger, totals: WindowTotals): TestSpec {
  const name: QuantileName = trigger.quantile === 0.95 ? "p95" : "p99";
  const hold = id === "latency-p95-hold" ? trigger.hold : null;
  const factor = hold ? hold.factor : trigger.factor;
  const p0 = hold ? hold.share : 1 - trigger.quantile;
  const baselineMs = totals.baseline.latencyMs[name];
  const rule = baselineMs === null ? null : factor * baselineMs;
  const threshold = factor === 1 ? `baseline ${name} ${ms(baselineMs ?? 0)}` : `${ms(rule ?? 0)} (${factor} × baseline ${name} ${ms(baselineMs ?? 0)})`;
  return {
    id,
    level: levelOf(id),
    p0,
    pAlt: hold ? Math.min(0.9, 2 * hold.share) : trigger.detectAtLeast,
    unit: "requests",
    gatesPromotion: !hold,
    baselineFigure: baselineMs,
    read: (batch) => {
      const requests = readRequests(batch);
      if (!("n" in requests)) return requests;
      const slower = batch.slowerThan[id];
      if (!slower || rule === null) return { none: `no baseline ${name} yet` };
      // A count taken against a lower threshold than the rule's would overstate the slow share
      // and could roll back a healthy canary; a slightly stale baseline quantile (≤ 1%) is fine.
      if (slower.thresholdMs < rule * 0.99) return { garbage: `slow requests counted above ${ms(slower.thresholdMs)}, below the rule's ${ms(rule)}` };
      if (!consistent(requests.n, slower.count)) return { garbage: `${slower.count} slow of ${requests.n} requests` };
      return { n: requests.n, k: slower.count };
    },
    describe: (n, k) =>
      `Canary requests slower than ${threshold}: ${percent(n > 0 ? k / n : 0)} (${count(k)} of ${count(n)}); ${hold ? "hold level" : "allowed"} ${percent(p0)}`,
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
