/**
 * Canary analysis as data: which rollback triggers watch a step, the window totals they read, the
 * evaluation each produces, and the one verdict for the step. Defaults are the procedure's
 * (DESIGN.md "Monitoring and automated rollback"); the method is STATISTICS.md's.
 */

/**
 * What one trigger, or the analysis of a step as a whole, concludes about the canary. "error":
 * the metric feed is silent or sends garbage, so nothing can be concluded and a human decides.
 */
export type Verdict = "pass" | "insufficient" | "hold" | "rollback" | "error";

/** Every verdict, most severe first. */
export const VERDICTS = ["rollback", "error", "hold", "insufficient", "pass"] as const satisfies readonly Verdict[];

/** Canary error rate. Procedure: > 1% rolls back; > 0.1% holds promotion and asks a human. */
export type ErrorRateTrigger = {
  kind: "errorRate";
  /** roll back once the canary's error rate is credibly above this; default 0.01 */
  rollbackAbove: number;
  /** hold for a human once it is credibly above this (a second test with its own α share); null: off; default 0.001 */
  holdAbove: number | null;
  /** the smallest error rate a step must have been able to catch before it is promoted; default 2 × rollbackAbove */
  detectAtLeast: number;
};

/**
 * Latency degradation: "canary p95 > factor × baseline p95" is "more than 5% of canary requests
 * are slower than factor × baseline p95", so bad = such a request and p0 = 1 − quantile. A p95
 * exactly at factor × the baseline's sits on that null and is never called: the test catches a
 * regression beyond it (p95 doubled fast), with the factor as its false-alarm boundary.
 */
export type LatencyTrigger = {
  kind: "latency";
  /** the quantile compared: 0.95 (p95, p0 = 5%) or 0.99 (p99, p0 = 1%) */
  quantile: LatencyQuantile;
  /** roll back when the canary's quantile is credibly above factor × the baseline's; default 1.5 */
  factor: number;
  /** the smallest share of slow canary requests a step must be able to catch; default 2 × (1 − quantile) */
  detectAtLeast: number;
  /**
   * A more sensitive "hold for a human" test: bad = slower than factor × the baseline quantile,
   * null hypothesis "at most `share` of canary requests are" (p95 default: factor 1, share 7.5%,
   * i.e. the canary's 92.5th percentile is at most the baseline's p95). null or absent: off.
   */
  hold?: LatencyHold | null;
};

/** The latency hold level: a factor of the baseline quantile and the share allowed above it. */
export type LatencyHold = { factor: number; share: number };

/** A business metric: bad = an attempt that did not convert; p0 = 1 − baseline rate × (1 − allowedDrop). */
export type BusinessMetricTrigger = {
  kind: "businessMetric";
  /** what converts, in the team's words, e.g. "Checkout conversion" */
  name: string;
  /** roll back when the canary converts credibly less than baseline × (1 − allowedDrop); default 0.1 */
  allowedDrop: number;
  /** the relative drop the minimum sample is sized to catch; default 2 × allowedDrop */
  detectDrop: number;
};

/** CPU or memory against the environment's hard limit: exceeded for N consecutive samples rolls back. */
export type GaugeTrigger = {
  kind: "gauge";
  /** which gauge; samples are percent of the environment's limit for it */
  resource: "cpu" | "memory";
  /** a sample above this percent of the limit counts as exceeded; default 100 */
  limitPercent: number;
  /** consecutive exceeded samples that roll back; default 3 (one spike is not a breach) */
  consecutive: number;
};

/** A breach or WAF alert posted to the signal endpoint: any one rolls back. */
export type SecuritySignalTrigger = { kind: "securitySignal" };

/** One rollback trigger watching a step. */
export type TriggerConfig = ErrorRateTrigger | LatencyTrigger | BusinessMetricTrigger | GaugeTrigger | SecuritySignalTrigger;

/** How a step's canary is judged. Validated where it is parsed; out-of-range values throw here. */
export type AnalysisConfig = {
  /** false-alarm budget for the whole run, split evenly across the statistical tests; default 0.01 */
  alpha: number;
  /** the triggers watching each step */
  triggers: TriggerConfig[];
  /** a canary metric feed silent (or sending garbage) this long holds the run for a human; default 60 s */
  feedTimeoutMs?: number;
};

/** How long a silent or garbled metric feed is tolerated before the analysis says "error". */
export const DEFAULT_FEED_TIMEOUT_MS = 60_000;

/** The latency quantiles a trigger can compare. */
export type LatencyQuantile = 0.95 | 0.99;
/** Quantile names as the sketch reports them. */
export type QuantileName = "p95" | "p99";

/** One version's figures since the step began (cumulative: the e-process needs every request). */
export type SideTotals = {
  /** requests served */
  requests: number;
  /** of which failed (5xx or transport error) */
  errors: number;
  /** latency quantiles from this side's sketch, ms; null until it has data */
  latencyMs: Record<QuantileName, number | null>;
  /** business-metric attempts (e.g. checkouts started) */
  attempts: number;
  /** of which converted */
  conversions: number;
  /** CPU samples in time order, percent of the environment's limit */
  cpuPercent: number[];
  /** memory samples in time order, percent of the environment's limit */
  memoryPercent: number[];
};

/** Canary requests slower than a threshold, counted by the caller from the canary's sketch. */
export type SlowerThan = {
  /** the threshold: factor × the baseline quantile, ms */
  thresholdMs: number;
  /** canary requests slower than it */
  count: number;
};

/** A breach or WAF alert received for the canary. */
export type SecuritySignal = {
  /** who raised it, e.g. "waf" */
  source: string;
  /** what it says, shown verbatim in the rollback reason */
  message: string;
  /** when it arrived, epoch ms */
  at: number;
};

/** The latency tests, by the trigger id they report under. */
export type LatencyTestId = "latency-p95" | "latency-p95-hold" | "latency-p99";

/** Everything the triggers read for one evaluation of a step (cumulative since the step began). */
export type WindowTotals = {
  /** the version being replaced */
  baseline: SideTotals;
  /** the new version */
  canary: SideTotals;
  /** per latency test, canary requests slower than its threshold; null or absent until counted */
  canarySlowerThan: Partial<Record<LatencyTestId, SlowerThan | null>>;
  /** security signals received since the step began */
  securitySignals: SecuritySignal[];
};

/** What the canary served since the previous evaluation: what the change detectors consume. */
export type CanaryBatch = {
  /** when the batch closed, epoch ms */
  at: number;
  requests: number;
  errors: number;
  attempts: number;
  conversions: number;
  /** per latency test, this batch's canary requests slower than its threshold; null or absent: threshold unknown */
  slowerThan: Partial<Record<LatencyTestId, SlowerThan | null>>;
};

/** Stable names of the evaluations, as stored and shown on the run page. */
export type TriggerId = SequentialTestId | "cpu" | "memory" | "security" | "feed";

/** The statistical tests a config can run. */
export type SequentialTestId = "error-rate" | "error-rate-hold" | "latency-p95" | "latency-p95-hold" | "latency-p99" | "business-metric";

/** Procedure default: the canary's error rate. */
export function errorRateTrigger(overrides: Partial<Omit<ErrorRateTrigger, "kind">> = {}): ErrorRateTrigger {
  const rollbackAbove = overrides.rollbackAbove ?? 0.01;
  return { kind: "errorRate", rollbackAbove, holdAbove: 0.001, detectAtLeast: 2 * rollbackAbove, ...overrides };
}

/**
 * Procedure default: canary p95 (or p99) above 1.5 × the baseline's rolls back; for p95 a hold
 * for a human when more than 7.5% of canary requests are slower than the baseline's p95.
 */
export function latencyTrigger(quantile: LatencyQuantile, overrides: Partial<Omit<LatencyTrigger, "kind" | "quantile">> = {}): LatencyTrigger {
  const hold = quantile === 0.95 ? { factor: 1, share: 0.075 } : null;
  return { kind: "latency", quantile, factor: 1.5, detectAtLeast: 2 * (1 - quantile), hold, ...overrides };
}

/** A business metric allowed to drop 10% below the baseline by default. */
export function businessMetricTrigger(name: string, overrides: Partial<Omit<BusinessMetricTrigger, "kind" | "name">> = {}): BusinessMetricTrigger {
  const allowedDrop = overrides.allowedDrop ?? 0.1;
  return { kind: "businessMetric", name, allowedDrop, detectDrop: Math.min(0.9, 2 * allowedDrop), ...overrides };
}

/** CPU or memory above the environment's limit for 3 consecutive samples. */
export function gaugeTrigger(resource: GaugeTrigger["resource"], overrides: Partial<Omit<GaugeTrigger, "kind" | "resource">> = {}): GaugeTrigger {
  return { kind: "gauge", resource, limitPercent: 100, consecutive: 3, ...overrides };
}

/** The procedure's triggers: error rate (with hold level), p95 and p99 latency, CPU, memory, security. */
export function defaultAnalysisConfig(): AnalysisConfig {
  return {
    alpha: 0.01,
    triggers: [
      errorRateTrigger(),
      latencyTrigger(0.95),
      latencyTrigger(0.99),
      gaugeTrigger("cpu"),
      gaugeTrigger("memory"),
      { kind: "securitySignal" },
    ],
  };
}

/** Totals with nothing in them: the state of a step that has just begun. */
export function emptyTotals(): WindowTotals {
  const side = (): SideTotals => ({
    requests: 0,
    errors: 0,
    latencyMs: { p95: null, p99: null },
    attempts: 0,
    conversions: 0,
    cpuPercent: [],
    memoryPercent: [],
  });
  return { baseline: side(), canary: side(), canarySlowerThan: {}, securitySignals: [] };
}
