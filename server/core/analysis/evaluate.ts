import { evaluateBusinessMetric, evaluateErrorRate, evaluateGauge, evaluateLatency, evaluateSecurity } from "./checks.ts";
import { count } from "./format.ts";
import type { AnalysisConfig, AnalysisResult, Evaluation, SequentialEvaluation, TriggerConfig, WindowTotals } from "./triggers.ts";

/**
 * One step's verdict from every trigger's evaluation: the run's false-alarm budget α split over
 * the statistical tests, each trigger evaluated on the window totals, and the most severe
 * conclusion wins (STATISTICS.md).
 */

/** Number of e-process tests the config runs; α is split evenly across them. */
function statisticalTestCount(config: AnalysisConfig): number {
  return config.triggers.reduce((sum, trigger) => sum + testsOf(trigger), 0);
}

/**
 * α per test: the run's budget over the number of tests (a union bound), so "at most α false
 * rollbacks per run" holds for the run as a whole, however long it watches. The hold level takes
 * its own share: a false hold costs a person's attention.
 */
export function alphaPerTest(config: AnalysisConfig): number {
  const tests = statisticalTestCount(config);
  return tests === 0 ? config.alpha : config.alpha / tests;
}

/**
 * Judges a step. Rollback if any trigger says rollback, else hold if any says hold, else
 * insufficient while the canary has served fewer requests than the minimum (or a request-based
 * test lacks its data), else pass. No data is never a pass.
 */
export function evaluateAll(config: AnalysisConfig, totals: WindowTotals): AnalysisResult {
  const alpha = alphaPerTest(config);
  const evaluations = config.triggers.flatMap((trigger) => evaluateTrigger(trigger, totals, alpha));

  // Only the request-based rollback tests gate promotion. The hold level at 0.1% and a business
  // metric need tens of thousands of samples to conclude; a small service would never promote.
  // Their rows still say "insufficient" so nobody mistakes silence for health.
  const gating = evaluations.filter(
    (e): e is SequentialEvaluation => e.method === "e-process" && e.level === "rollback" && e.trigger !== "business-metric",
  );
  const minRequests = Math.max(1, ...gating.map((e) => e.minSamples));
  const served = totals.canary.requests;
  const requestsNeeded = Math.max(0, Math.ceil(minRequests - served));

  const rollback = evaluations.find((e) => e.verdict === "rollback");
  if (rollback) return { verdict: "rollback", decidedBy: rollback, evaluations, minRequests, requestsNeeded, summary: rollback.message };
  const hold = evaluations.find((e) => e.verdict === "hold");
  if (hold) return { verdict: "hold", decidedBy: hold, evaluations, minRequests, requestsNeeded, summary: hold.message };

  const lacking = gating.find((e) => e.verdict === "insufficient" && e.n >= e.minSamples);
  if (requestsNeeded > 0 || lacking) {
    const summary = lacking
      ? lacking.message
      : `Insufficient evidence: ${count(served)} of ${count(minRequests)} canary requests served; ${count(requestsNeeded)} more needed before promotion`;
    return { verdict: "insufficient", decidedBy: null, evaluations, minRequests, requestsNeeded, summary };
  }
  const open = evaluations.filter((e) => e.verdict === "insufficient").map((e) => e.trigger);
  const caveat = open.length > 0 ? `; not yet conclusive, and not required to promote: ${open.join(", ")}` : "";
  return {
    verdict: "pass",
    decidedBy: null,
    evaluations,
    minRequests,
    requestsNeeded,
    summary: `No trigger fired after ${count(served)} canary requests (${count(minRequests)} needed) → pass${caveat}`,
  };
}

function evaluateTrigger(trigger: TriggerConfig, totals: WindowTotals, alpha: number): Evaluation[] {
  switch (trigger.kind) {
    case "errorRate":
      return evaluateErrorRate(trigger, totals, alpha);
    case "latency":
      return [evaluateLatency(trigger, totals, alpha)];
    case "businessMetric":
      return [evaluateBusinessMetric(trigger, totals, alpha)];
    case "gauge":
      return [evaluateGauge(trigger, totals)];
    case "securitySignal":
      return [evaluateSecurity(totals)];
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

function testsOf(trigger: TriggerConfig): number {
  switch (trigger.kind) {
    case "errorRate":
      return trigger.holdAbove === null ? 1 : 2;
    case "latency":
    case "businessMetric":
      return 1;
    case "gauge":
    case "securitySignal":
      return 0;
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(never)}`);
    }
  }
}
