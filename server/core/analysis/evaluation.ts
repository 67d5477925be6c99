/**
 * What the analysis concludes, as data: each test's or rule's evaluation with its numbers, and
 * the step's one verdict. Stored with every evaluation and streamed to the run page.
 */
import type { SequentialTestId, TriggerId, Verdict } from "./triggers.ts";

/**
 * A statistical test's evaluation: the change detector, the confidence bound and their numbers
 * (STATISTICS.md "Show the evidence").
 */
export type SequentialEvaluation = {
  /** how the verdict was reached */
  method: "e-process";
  /** which test */
  trigger: SequentialTestId;
  /** what crossing the threshold means for this test */
  level: "rollback" | "hold";
  /** this test's conclusion */
  verdict: Verdict;
  /** canary requests (attempts, for a business metric) since the step began */
  n: number;
  /** of which bad: errors, slow requests, or attempts that did not convert */
  k: number;
  /** the null hypothesis: P(bad) ≤ p0 */
  p0: number;
  /** k / n since the step began; null before any data */
  observedRate: number | null;
  /** the baseline's figure, for context: its error rate, its quantile in ms, or its conversion rate */
  baselineFigure: number | null;
  /** the change detector's log R: evidence that the bad rate rose above p0 at some point (≤ 0: none) */
  logE: number;
  /** log(1/α): the test fires when logE reaches it */
  logThreshold: number;
  /** this test's share of the run's false-alarm budget (this step's share of it) */
  alpha: number;
  /** the window carrying most of the evidence: when it began and what it holds; null before data */
  window: { since: number; n: number; k: number } | null;
  /** anytime-valid upper confidence bound on the bad rate since the step began; null when not computed */
  upperBound: number | null;
  /** the confidence level's share for this test's promotion (the bound is at 1 − this) */
  promoteAlpha: number;
  /** more requests needed before this test lets the step be promoted (0 once it does; Infinity: never at the current rate) */
  requestsToPromote: number;
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
  /** rollback if any trigger says so, else error (no usable data), else hold, else insufficient until health is shown, else pass */
  verdict: Verdict;
  /** the evaluation that made it a rollback or hold; null otherwise */
  decidedBy: Evaluation | null;
  /** every trigger's evaluation, in config order */
  evaluations: Evaluation[];
  /** canary requests a step must serve before promotion (enough to catch the smallest regression) */
  minRequests: number;
  /** canary requests still needed before promotion; 0 once enough */
  requestsNeeded: number;
  /** how long those requests take at the canary's current rate, ms; null when unknown */
  msNeeded: number | null;
  /** the run's false-alarm budget and how this step's share of it is split */
  alpha: AlphaSplit;
  /** one sentence for the run page */
  summary: string;
};

/** α per run, split across steps and triggers (shown on the evidence panel). */
export type AlphaSplit = {
  /** the whole run's false-rollback budget (1 − the environment's confidence level) */
  run: number;
  /** this step's share of it */
  step: number;
  /** per statistical test, its share of this step's */
  tests: Partial<Record<SequentialTestId, number>>;
};
