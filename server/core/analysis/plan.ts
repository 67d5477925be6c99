/**
 * α per run (STATISTICS.md): the run's false-rollback budget is split across its steps and,
 * within a step, across the statistical tests, so "at most α false rollbacks per run" holds for
 * the run as a whole, however many steps and triggers watch it. The same split bounds the
 * chance of promoting a step whose canary is not below its thresholds. Hold-for-a-human tests
 * get a budget of their own of the same size: a false hold costs attention, not a release.
 */
import type { AnalysisConfig, SequentialTestId, TriggerConfig } from "./triggers.ts";
import type { AlphaSplit } from "./evaluation.ts";

/**
 * How much of a step's budget each test gets: errors are what users feel first, then p95, p99
 * and the business metric. Weights, not shares: they are normalised over the tests a config runs.
 */
export const TEST_WEIGHTS: Record<SequentialTestId, number> = {
  "error-rate": 5,
  "error-rate-hold": 5,
  "latency-p95": 3,
  "latency-p95-hold": 3,
  "latency-p99": 2,
  "business-metric": 2,
};

/** Whether a test rolls back (and so spends the false-rollback budget) or holds for a human. */
export function levelOf(id: SequentialTestId): "rollback" | "hold" {
  return id === "error-rate-hold" || id === "latency-p95-hold" ? "hold" : "rollback";
}

/** The statistical tests a trigger runs. */
export function testsOf(trigger: TriggerConfig): SequentialTestId[] {
  switch (trigger.kind) {
    case "errorRate":
      return trigger.holdAbove === null ? ["error-rate"] : ["error-rate", "error-rate-hold"];
    case "latency":
      if (trigger.quantile === 0.99) return ["latency-p99"];
      return trigger.hold ? ["latency-p95", "latency-p95-hold"] : ["latency-p95"];
    case "businessMetric":
      return ["business-metric"];
    case "gauge":
    case "securitySignal":
      return [];
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A step's share of the run's budget: harmonic in the step's position (½-weighted to the first),
 * because the first step is where a bad release is most likely met, and later steps have the
 * earlier ones' evidence behind them. Shares over the run's steps sum to 1.
 */
export function stepShare(stepIndex: number, stepCount: number): number {
  const count = Math.max(1, stepCount);
  const index = Math.min(Math.max(0, stepIndex), count - 1);
  let harmonic = 0;
  for (let i = 1; i <= count; i++) harmonic += 1 / i;
  return 1 / (index + 1) / harmonic;
}

/** α for each test of a step: the run's α × the step's share × the test's weight among its level. */
export function alphaSplit(config: AnalysisConfig, stepIndex: number, stepCount: number): AlphaSplit {
  const step = config.alpha * stepShare(stepIndex, stepCount);
  const ids = [...new Set(config.triggers.flatMap(testsOf))];
  const total = (level: "rollback" | "hold") => ids.filter((id) => levelOf(id) === level).reduce((sum, id) => sum + TEST_WEIGHTS[id], 0);
  const tests: Partial<Record<SequentialTestId, number>> = {};
  for (const id of ids) tests[id] = (step * TEST_WEIGHTS[id]) / total(levelOf(id));
  return { run: config.alpha, step, tests };
}
