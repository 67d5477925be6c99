/**
 * Canary analysis as data: which rollback triggers watch a step, the window totals they read, the
 * evaluation each produces, and the one verdict for the step. Defaults are the procedure's
 * (DESIGN.md "Monitoring and automated rollback"); the method is STATISTICS.md's.
 */

/** What one trigger, or the analysis of a step as a whole, concludes about the canary. */
export type Verdict = "pass" | "insufficient" | "hold" | "rollback";

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
 * are slower than factor × baseline p95", so bad = such a request and p0 = 1 − quantile.
 */
export type LatencyTrigger = {
  kind: "latency";
  /** the quantile compared: 0.95 (p95, p0 = 5%) or 0.99 (p99, p0 = 1%) */
  quantile: LatencyQuantile;
  /** roll back when the canary's quantile is credibly above factor × the baseline's; default 1.5 */
  factor: number;
  /** the smallest share of slow canary requests a step must be able to catch; default 2 × (1 − quantile) */
  detectAtLeast: number;
};

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
};

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

/** Everything the triggers read for one evaluation of a step. */
export type WindowTotals = {
  /** the version being replaced */
  baseline: SideTotals;
  /** the new version */
  canary: SideTotals;
  /** per quantile, canary requests slower than factor × the baseline's; null until counted */
  canarySlowerThan: Record<QuantileName, SlowerThan | null>;
  /** security signals received since the step began */
  securitySignals: SecuritySignal[];
};

/** Stable names of the evaluations, as stored and shown on the run page. */
export type TriggerId = "error-rate" | "error-rate-hold" | "latency-p95" | "latency-p99" | "business-metric" | "cpu" | "memory" | "security";

/** A statistical test's evaluation: the e-process and its numbers (STATISTICS.md "Show the evidence"). */
export type SequentialEvaluation = {
  /** how the verdict was reached */
  method: "e-process";
  /** which test */
  trigger: TriggerId;
  /** what crossing the threshold means for this test */
  level: "rollback" | "hold";
  /** this test's conclusion */
  verdict: Verdict;
  /** canary requests (attempts, for a business metric) */
  n: number;
  /** of which bad: errors, slow requests, or attempts that did not convert */
  k: number;
  /** the null hypothesis: P(bad) ≤ p0 */
  p0: number;
  /** k / n; null before any data */
  observedRate: number | null;
  /** the baseline's figure, for context: its error rate, its quantile in ms, or its conversion rate */
  baselineFigure: number | null;
  /** log of the evidence E against H0 (0 = no evidence either way) */
  logE: number;
  /** log(1/α): the test fires when logE reaches it */
  logThreshold: number;
  /** this test's share of the run's false-alarm budget */
  alpha: number;
  /** n below which the step cannot be promoted on this test's word; Infinity when it cannot be sized (no baseline floor yet) */
  minSamples: number;
  /** one sentence with the numbers */
  message: string;
};

/** A hard rule's evaluation (gauges, security signals): no statistics, a count against a limit. */
export type RuleEvaluation = {
  /** how the verdict was reached */
  method: "rule";
  /** which rule */
  trigger: TriggerId;
  /** this rule's conclusion */
  verdict: Verdict;
  /** samples (or signals) seen */
  n: number;
  /** the count that matters: longest run of exceeded samples, or signals received */
  k: number;
  /** k at which the rule rolls back */
  limit: number;
  /** one sentence with the numbers */
  message: string;
};

/** What one trigger concluded, with its numbers. */
export type Evaluation = SequentialEvaluation | RuleEvaluation;

/** The analysis of a step: one verdict, and every evaluation behind it (all stored). */
export type AnalysisResult = {
  /** rollback if any trigger says so, else hold, else insufficient below the minimum, else pass */
  verdict: Verdict;
  /** the evaluation that made it a rollback or hold; null otherwise */
  decidedBy: Evaluation | null;
  /** every trigger's evaluation, in config order */
  evaluations: Evaluation[];
  /** canary requests a step must serve before promotion (enough to catch the smallest regression) */
  minRequests: number;
  /** canary requests still needed before promotion; 0 once enough */
  requestsNeeded: number;
  /** one sentence for the run page */
  summary: string;
};

/** Procedure default: the canary's error rate. */
export function errorRateTrigger(overrides: Partial<Omit<ErrorRateTrigger, "kind">> = {}): ErrorRateTrigger {
  const rollbackAbove = overrides.rollbackAbove ?? 0.01;
  return { kind: "errorRate", rollbackAbove, holdAbove: 0.001, detectAtLeast: 2 * rollbackAbove, ...overrides };
}

/** Procedure default: canary p95 (or p99) above 1.5 × the baseline's. */
export function latencyTrigger(quantile: LatencyQuantile, overrides: Partial<Omit<LatencyTrigger, "kind" | "quantile">> = {}): LatencyTrigger {
  return { kind: "latency", quantile, factor: 1.5, detectAtLeast: 2 * (1 - quantile), ...overrides };
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
  return { baseline: side(), canary: side(), canarySlowerThan: { p95: null, p99: null }, securitySignals: [] };
}
