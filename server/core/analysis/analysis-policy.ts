/**
 * An environment's analysis policy: the handful of numbers a team tunes (confidence level, error
 * and latency thresholds), applied over the procedure's triggers. Runs copy the resulting config
 * when they are created, so a change here never alters a run already under way.
 */
import type { AnalysisConfig, LatencyHold, TriggerConfig } from "./triggers.ts";

/** The confidence levels a team may choose; α = 1 − level is the run's false-rollback budget. */
export const CONFIDENCE_LEVELS = [0.95, 0.99, 0.999] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];

/** What Settings → Analysis policy stores (fractions, not percent). */
export type AnalysisPolicy = {
  /** confidence of every verdict; α = 1 − this; default 0.99 */
  confidence: ConfidenceLevel;
  /** roll back once the canary's error rate is credibly above this; default 0.01 */
  errorRollbackAbove: number;
  /** hold for a human once it is credibly above this; null: off; default 0.001 */
  errorHoldAbove: number | null;
  /** roll back when canary p95 is credibly above this × the baseline's; default 1.5 */
  p95Factor: number;
  /** hold for a human on a smaller p95 slowdown; null: off; default factor 1, share 7.5% */
  p95Hold: LatencyHold | null;
  /** roll back when canary p99 is credibly above this × the baseline's; default 1.5 */
  p99Factor: number;
};

/** The procedure's numbers: a run created with this policy gets exactly the default config. */
export const DEFAULT_ANALYSIS_POLICY: AnalysisPolicy = {
  confidence: 0.99,
  errorRollbackAbove: 0.01,
  errorHoldAbove: 0.001,
  p95Factor: 1.5,
  p95Hold: { factor: 1, share: 0.075 },
  p99Factor: 1.5,
};

/** Sensible ranges, shared by the form's inputs and the server's validation (percent where the form shows percent). */
export const POLICY_BOUNDS = {
  errorRollbackPct: { min: 0.1, max: 50 },
  errorHoldPct: { min: 0.01, max: 25 },
  latencyFactor: { min: 1.05, max: 10 },
  holdFactor: { min: 1, max: 10 },
  holdSharePct: { min: 1, max: 50 },
} as const;

/**
 * A config with the policy's numbers in place of its own. The sample a step needs before
 * promotion scales with the error threshold (the production default asks to catch 2 × the
 * threshold, staging 5 ×), so a looser threshold is not left with an impossible target. A hold
 * level at or above the rollback threshold could never hold first: it is turned off.
 */
export function withAnalysisPolicy(config: AnalysisConfig, policy: Partial<AnalysisPolicy>): AnalysisConfig {
  const triggers = config.triggers.map((t): TriggerConfig => {
    if (t.kind === "errorRate") {
      const rollbackAbove = policy.errorRollbackAbove ?? t.rollbackAbove;
      const requested = policy.errorHoldAbove === undefined ? t.holdAbove : policy.errorHoldAbove;
      const holdAbove = requested !== null && requested < rollbackAbove ? requested : null;
      const detectAtLeast = Math.min(0.9, (t.detectAtLeast / t.rollbackAbove) * rollbackAbove);
      return { ...t, rollbackAbove, holdAbove, detectAtLeast };
    }
    if (t.kind === "latency" && t.quantile === 0.95) {
      const factor = policy.p95Factor ?? t.factor;
      const hold = policy.p95Hold === undefined ? (t.hold ?? null) : policy.p95Hold;
      return { ...t, factor, hold: hold && hold.factor < factor ? hold : null };
    }
    if (t.kind === "latency") return { ...t, factor: policy.p99Factor ?? t.factor };
    return t;
  });
  return { ...config, alpha: policy.confidence === undefined ? config.alpha : roundAlpha(1 - policy.confidence), triggers };
}

/** The policy a config embodies (what the what-if form starts from); absent triggers read as the defaults. */
export function policyOf(config: AnalysisConfig): AnalysisPolicy {
  const error = config.triggers.find((t) => t.kind === "errorRate");
  const p95 = config.triggers.find((t) => t.kind === "latency" && t.quantile === 0.95);
  const p99 = config.triggers.find((t) => t.kind === "latency" && t.quantile === 0.99);
  const level = roundAlpha(1 - config.alpha);
  return {
    confidence: CONFIDENCE_LEVELS.find((c) => c === level) ?? DEFAULT_ANALYSIS_POLICY.confidence,
    errorRollbackAbove: error?.kind === "errorRate" ? error.rollbackAbove : DEFAULT_ANALYSIS_POLICY.errorRollbackAbove,
    errorHoldAbove: error?.kind === "errorRate" ? error.holdAbove : DEFAULT_ANALYSIS_POLICY.errorHoldAbove,
    p95Factor: p95?.kind === "latency" ? p95.factor : DEFAULT_ANALYSIS_POLICY.p95Factor,
    p95Hold: p95?.kind === "latency" ? (p95.hold ?? null) : DEFAULT_ANALYSIS_POLICY.p95Hold,
    p99Factor: p99?.kind === "latency" ? p99.factor : DEFAULT_ANALYSIS_POLICY.p99Factor,
  };
}

/** A policy in one line, as the audit and the preview say it. */
export function describePolicy(p: AnalysisPolicy): string {
  const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
  const hold = p.errorHoldAbove === null ? "no error hold" : `hold above ${pct(p.errorHoldAbove)}`;
  const p95Hold = p.p95Hold ? `p95 hold ${p.p95Hold.factor}× for ${pct(p.p95Hold.share)}` : "no p95 hold";
  return `${pct(p.confidence)} confidence; errors roll back above ${pct(p.errorRollbackAbove)}, ${hold}; p95 ${p.p95Factor}×, ${p95Hold}; p99 ${p.p99Factor}×`;
}

/** 1 − 0.999 is 0.0010000000000000009 in floating point; keep α as people write it. */
function roundAlpha(x: number): number {
  return Number(x.toPrecision(6));
}
