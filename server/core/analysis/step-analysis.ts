/**
 * One step's canary analysis over time: each batch feeds every statistical test's change detector
 * (roll back or hold as soon as a rise is shown, whenever it began) and its confidence bound
 * (promote only once health is shown); gauges and security signals are rules; a silent or
 * garbled feed becomes an error a human resolves. The session is plain data: replaying the
 * stored batches reproduces every stored figure exactly.
 */
import { advanceDetector, readDetector, startDetector, type DetectorState } from "./change-detector.ts";
import { evaluateGauge, evaluateSecurity } from "./checks.ts";
import { requestsUntilBelow, upperBound } from "./confidence.ts";
import { requiredSamples } from "./e-process.ts";
import { clockTime, count, duration, evidence, percent } from "./format.ts";
import { alphaSplit } from "./plan.ts";
import { testSpecs, type TestSpec } from "./sequential-tests.ts";
import { DEFAULT_FEED_TIMEOUT_MS, type AnalysisConfig, type CanaryBatch, type SequentialTestId, type WindowTotals } from "./triggers.ts";
import type { AnalysisResult, Evaluation, RuleEvaluation, SequentialEvaluation } from "./evaluation.ts";

/** What each test took from one batch, as stored for replay: [n, k] per test. */
export type AppliedBatch = { at: number; counts: Partial<Record<SequentialTestId, [number, number]>> };

/** Everything a step's analysis remembers between batches. */
export type StepSession = {
  stepIndex: number;
  stepCount: number;
  startedAt: number;
  detectors: Partial<Record<SequentialTestId, DetectorState>>;
  /** per test, requests and bad ones since the step began (the confidence bound's data) */
  totals: Partial<Record<SequentialTestId, { n: number; k: number }>>;
  /** the last batch whose canary data could be used */
  lastUsableAt: number;
  /** the latest reason a batch could not be used */
  problem: string | null;
};

export function startStep(stepIndex: number, stepCount: number, at: number): StepSession {
  return { stepIndex, stepCount, startedAt: at, detectors: {}, totals: {}, lastUsableAt: at, problem: null };
}

/** One batch in, the step's verdict out, with the counts each test took (to store). */
export function evaluateStep(
  config: AnalysisConfig,
  session: StepSession,
  batch: CanaryBatch,
  totals: WindowTotals,
  options: { health?: boolean } = {},
): { session: StepSession; result: AnalysisResult; applied: AppliedBatch } {
  const split = alphaSplit(config, session.stepIndex, session.stepCount);
  const frozen = Object.fromEntries(Object.entries(session.detectors).map(([id, d]) => [id, d.p0]));
  const specs = testSpecs(config, totals, frozen);
  const next: StepSession = { ...session, detectors: { ...session.detectors }, totals: { ...session.totals } };
  const applied: AppliedBatch = { at: batch.at, counts: {} };

  let usable = false;
  const reasons: Partial<Record<SequentialTestId, string>> = {};
  for (const spec of specs) {
    const read = spec.read(batch);
    if ("garbage" in read) next.problem = read.garbage;
    if (!("n" in read)) reasons[spec.id] = "garbage" in read ? `Unusable data: ${read.garbage}` : `No data: ${read.none}`;
    if (!("n" in read) || spec.p0 === null) continue;
    usable = true;
    const alpha = split.tests[spec.id] ?? config.alpha;
    const detector = next.detectors[spec.id] ?? startDetector(spec.p0, session.startedAt);
    next.detectors[spec.id] = advanceDetector(detector, { ...read, at: batch.at }, Math.log(1 / alpha));
    const sofar = next.totals[spec.id] ?? { n: 0, k: 0 };
    next.totals[spec.id] = { n: sofar.n + read.n, k: sofar.k + read.k };
    applied.counts[spec.id] = [read.n, read.k];
  }
  if (usable) {
    next.lastUsableAt = batch.at;
    next.problem = null;
  } else if (next.problem === null && batch.requests === 0) next.problem = "no canary requests";

  // The confidence bound costs a few thousand exp() per test; a simulation may ask only whether
  // a detector fired. Without it no test can pass: health is never assumed.
  const health = options.health ?? true;
  const sequential = specs.map((spec) => judge(spec, next, split.tests[spec.id] ?? config.alpha, health, reasons[spec.id]));
  const rules: Evaluation[] = config.triggers.flatMap((t) =>
    t.kind === "gauge" ? [evaluateGauge(t, totals)] : t.kind === "securitySignal" ? [evaluateSecurity(totals)] : [],
  );
  const feed = feedWatch(config, next, batch.at);
  const evaluations = [...sequential, ...rules, ...(feed ? [feed] : [])];
  return { session: next, result: combine(evaluations, sequential, split, next, batch.at), applied };
}

/** A step judged from cumulative totals in one batch (tests, benches, previews). */
export function evaluateAll(config: AnalysisConfig, totals: WindowTotals, at = 0): AnalysisResult {
  const c = totals.canary;
  const batch: CanaryBatch = { at, requests: c.requests, errors: c.errors, attempts: c.attempts, conversions: c.conversions, slowerThan: totals.canarySlowerThan };
  return evaluateStep(config, startStep(0, 1, at), batch, totals).result;
}

/**
 * The detectors' log R after replaying stored batches: what a reviewer recomputes to check a
 * stored evaluation. p0 and α per test are the stored evaluation's own.
 */
export function replayDetectors(
  tests: Partial<Record<SequentialTestId, { p0: number; alpha: number }>>,
  startedAt: number,
  batches: readonly AppliedBatch[],
): Partial<Record<SequentialTestId, number>> {
  const out: Partial<Record<SequentialTestId, number>> = {};
  for (const [id, t] of Object.entries(tests) as [SequentialTestId, { p0: number; alpha: number }][]) {
    let d = startDetector(t.p0, startedAt);
    for (const b of batches) {
      const c = b.counts[id];
      if (c) d = advanceDetector(d, { n: c[0], k: c[1], at: b.at }, Math.log(1 / t.alpha));
    }
    out[id] = readDetector(d).logR;
  }
  return out;
}

function judge(spec: TestSpec, session: StepSession, alpha: number, health: boolean, reason: string | undefined): SequentialEvaluation {
  const logThreshold = Math.log(1 / alpha);
  const sofar = session.totals[spec.id] ?? { n: 0, k: 0 };
  const p0 = spec.p0 ?? 1;
  const minSamples = spec.p0 === null ? Infinity : requiredSamples(spec.p0, Math.min(0.999, Math.max(spec.pAlt, spec.p0 * 1.01)), alpha);
  const detector = session.detectors[spec.id];
  const reading = detector ? readDetector(detector) : { logR: 0, strongest: null };
  const window = reading.strongest ? { since: reading.strongest.since, n: reading.strongest.n, k: reading.strongest.k } : null;
  const bound = health && sofar.n > 0 && spec.p0 !== null ? upperBound(sofar.n, sofar.k, alpha) : null;
  const toPromote = !health || spec.p0 === null ? Infinity : Math.max(0, minSamples - sofar.n, requestsUntilBelow(sofar.n, sofar.k, p0, alpha));
  const record = {
    method: "e-process" as const,
    trigger: spec.id,
    level: spec.level,
    n: sofar.n,
    k: sofar.k,
    p0,
    observedRate: sofar.n > 0 ? sofar.k / sofar.n : null,
    baselineFigure: spec.baselineFigure,
    logE: reading.logR,
    logThreshold,
    alpha,
    minSamples,
    window,
    upperBound: bound,
    promoteAlpha: alpha,
    requestsToPromote: toPromote,
  };
  if (spec.p0 === null || !detector) {
    const why = spec.unavailable ?? reason ?? `No canary ${spec.unit} yet`;
    return { ...record, logE: 0, verdict: "insufficient", message: `${why} → insufficient evidence` };
  }
  const shown = window ? `${spec.describe(window.n, window.k)} since ${clockTime(window.since)} UTC` : spec.describe(sofar.n, sofar.k);
  if (reading.logR >= logThreshold) {
    const verdict = spec.level;
    const tail = verdict === "rollback" ? "→ roll back" : "→ hold for a human";
    return { ...record, verdict, message: `${shown}: evidence ${evidence(reading.logR)} ≥ ${evidence(logThreshold)} ${tail}` };
  }
  const upper = bound === null ? "" : `upper bound ${percent(bound)} of ${spec.unit} bad (${confidence(alpha)}) vs ${percent(p0)}`;
  if (toPromote === 0) return { ...record, verdict: "pass", message: `${shown}: ${upper} after ${count(sofar.n)} ${spec.unit} → pass` };
  const more = Number.isFinite(toPromote) ? `${count(toPromote)} more ${spec.unit} needed` : "the rate is too close to the threshold to show health";
  return { ...record, verdict: "insufficient", message: `${shown}: ${upper}; ${more} → insufficient evidence` };
}

function confidence(alpha: number): string {
  return `${Number((100 * (1 - alpha)).toPrecision(4))}% confidence`;
}

/** A feed with no usable canary data for longer than the timeout: an error, never a pass or a silent wait. */
function feedWatch(config: AnalysisConfig, session: StepSession, at: number): RuleEvaluation | null {
  const timeout = config.feedTimeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  const silentFor = at - session.lastUsableAt;
  if (silentFor < timeout) return null;
  const what = session.problem && session.problem !== "no canary requests" ? `unusable canary metrics (${session.problem})` : "no canary metrics";
  return {
    method: "rule",
    trigger: "feed",
    verdict: "error",
    n: Math.floor(silentFor / 1000),
    k: Math.floor(silentFor / 1000),
    limit: Math.floor(timeout / 1000),
    message: `Metric feed: ${what} for ${duration(silentFor)} (last usable at ${clockTime(session.lastUsableAt)}) → analysis error: holding for a human`,
  };
}

function combine(
  evaluations: Evaluation[],
  sequential: SequentialEvaluation[],
  alpha: AnalysisResult["alpha"],
  session: StepSession,
  at: number,
): AnalysisResult {
  const gating = sequential.filter((e) => e.level === "rollback" && e.trigger !== "business-metric");
  const requestsNeeded = Math.max(0, ...gating.map((e) => e.requestsToPromote));
  const minRequests = Math.max(1, ...gating.map((e) => e.minSamples));
  const served = Math.max(0, ...gating.map((e) => e.n));
  const elapsed = at - session.startedAt;
  const rate = elapsed > 0 && served > 0 ? served / elapsed : null;
  const msNeeded = rate !== null && Number.isFinite(requestsNeeded) ? requestsNeeded / rate : null;
  const base = { evaluations, minRequests, requestsNeeded, msNeeded, alpha };
  for (const verdict of ["rollback", "error", "hold"] as const) {
    const found = evaluations.find((e) => e.verdict === verdict);
    if (found) return { ...base, verdict, decidedBy: found, summary: found.message };
  }
  const lacking = gating.filter((e) => e.verdict === "insufficient");
  if (lacking.length > 0 || gating.length === 0) {
    const wait = msNeeded === null ? "" : ` (about ${duration(msNeeded)} at the current rate)`;
    const needs = Number.isFinite(requestsNeeded) ? `needs ${count(requestsNeeded)} more canary requests${wait}` : "cannot show health at the canary's current rates";
    const which = lacking.map((e) => e.trigger).join(", ") || "no request-based test";
    return { ...base, verdict: "insufficient", decidedBy: null, summary: `Insufficient evidence of health (${which}): ${needs}; a release manager may promote by hand` };
  }
  return {
    ...base,
    verdict: "pass",
    decidedBy: null,
    summary: `Healthy: every trigger's upper bound is below its threshold after ${count(served)} canary requests → pass (α ${percent(alpha.step)} this step, ${percent(alpha.run)} per run)`,
  };
}
