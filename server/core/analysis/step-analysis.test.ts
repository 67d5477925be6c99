import { describe, expect, it } from "vitest";
import { latencyThresholds } from "./sequential-tests.ts";
import { evaluateStep, replayDetectors, startStep, type AppliedBatch, type StepSession } from "./step-analysis.ts";
import { mulberry32 } from "./simulate.ts";
import { defaultAnalysisConfig, emptyTotals, type CanaryBatch, type SequentialTestId, type WindowTotals } from "./triggers.ts";
import type { AnalysisResult, SequentialEvaluation } from "./evaluation.ts";

const config = defaultAnalysisConfig();
const T0 = Date.UTC(2026, 11, 4, 6, 30, 0);

function totals(requests: number, errors: number): WindowTotals {
  const t = emptyTotals();
  t.baseline = { ...t.baseline, requests: 100_000, errors: 100, latencyMs: { p95: 120, p99: 300 } };
  t.canary = { ...t.canary, requests, errors };
  return t;
}

/** Drives a step batch by batch: `errorRate(i)` per 250 ms batch of `perBatch` requests; stops at a rollback. */
function drive(batches: number, perBatch: number, errorRate: (i: number) => number, seed = 1) {
  const random = mulberry32(seed);
  const thresholds = latencyThresholds(config, { p95: 120, p99: 300 });
  let session: StepSession = startStep(0, 3, T0);
  const applied: AppliedBatch[] = [];
  let requests = 0;
  let errors = 0;
  let result: AnalysisResult | null = null;
  for (let i = 0; i < batches; i++) {
    let e = 0;
    for (let j = 0; j < perBatch; j++) if (random() < errorRate(i)) e++;
    requests += perBatch;
    errors += e;
    const slowerThan: CanaryBatch["slowerThan"] = {};
    for (const [id, ms] of Object.entries(thresholds)) slowerThan[id as keyof typeof thresholds] = { thresholdMs: ms, count: 0 };
    const step = evaluateStep(config, session, { at: T0 + (i + 1) * 250, requests: perBatch, errors: e, attempts: 0, conversions: 0, slowerThan }, totals(requests, errors), { health: false });
    session = step.session;
    applied.push(step.applied);
    result = step.result;
    if (result.verdict === "rollback") break;
  }
  return { session, applied, result: result as AnalysisResult };
}

describe("a step's analysis over time", () => {
  it("reproduces every stored log E exactly from the stored batches", () => {
    const { applied, result } = drive(4_000, 3, (i) => (i < 2_400 ? 0.001 : 0.04), 5);
    const sequential = result.evaluations.filter((e): e is SequentialEvaluation => e.method === "e-process");
    const tests = Object.fromEntries(sequential.map((e) => [e.trigger, { p0: e.p0, alpha: e.alpha }])) as Partial<Record<SequentialTestId, { p0: number; alpha: number }>>;
    const replayed = replayDetectors(tests, T0, applied);
    for (const e of sequential) expect(replayed[e.trigger]).toBe(e.logE);
  });

  it("rolls back a fault that began ten minutes in, and its reason quotes the window since the change", () => {
    const onset = 2_400; // batches: ten minutes of healthy traffic at 12 req/s
    const { result } = drive(4_000, 3, (i) => (i < onset ? 0.001 : 0.5));
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.trigger).toBe("error-rate");
    // "Canary errors 50% (…) since 06:40:…": the fault's rate, not the step's 0.2% average.
    expect(result.summary).toMatch(/^Canary errors (\d\d|100)% \(\d+ of \d+\), baseline 0\.1%; threshold 1% since 06:40:0\d/);
  });

  it("turns a silent metric feed into an error for a human after 60 s, never a pass", () => {
    let session = startStep(0, 3, T0);
    const empty: CanaryBatch = { at: T0, requests: 0, errors: 0, attempts: 0, conversions: 0, slowerThan: {} };
    let verdicts: string[] = [];
    for (let s = 1; s <= 61; s++) {
      const step = evaluateStep(config, session, { ...empty, at: T0 + s * 1_000 }, totals(0, 0));
      session = step.session;
      verdicts = [...verdicts, step.result.verdict];
      if (s === 61) expect(step.result.summary).toMatch(/^Metric feed: no canary metrics for 61 s \(last usable at 06:30:00\) → analysis error: holding for a human/);
    }
    expect(verdicts.slice(0, 59).every((v) => v === "insufficient")).toBe(true);
    expect(verdicts.at(-1)).toBe("error");
  });

  it("calls garbage garbage: counts that do not add up for a minute are an error that quotes them", () => {
    let session = startStep(0, 3, T0);
    let last: AnalysisResult | null = null;
    for (let s = 1; s <= 61; s++) {
      const step = evaluateStep(config, session, { at: T0 + s * 1_000, requests: 10, errors: 12, attempts: 0, conversions: 0, slowerThan: {} }, totals(10 * s, 12 * s));
      session = step.session;
      last = step.result;
    }
    expect(last?.verdict).toBe("error");
    expect(last?.summary).toMatch(/unusable canary metrics \(12 errors reported for 10 requests\)/);
  });

  it("says how long the missing evidence takes at the canary's current rate", () => {
    let session = startStep(0, 3, T0);
    let last: AnalysisResult | null = null;
    const thresholds = latencyThresholds(config, { p95: 120, p99: 300 });
    const slowerThan: CanaryBatch["slowerThan"] = {};
    for (const [id, ms] of Object.entries(thresholds)) slowerThan[id as keyof typeof thresholds] = { thresholdMs: ms, count: 0 };
    for (let s = 1; s <= 20; s++) {
      const step = evaluateStep(config, session, { at: T0 + s * 1_000, requests: 2, errors: 0, attempts: 0, conversions: 0, slowerThan }, totals(2 * s, 0));
      session = step.session;
      last = step.result;
    }
    expect(last?.verdict).toBe("insufficient");
    expect(last?.requestsNeeded).toBeGreaterThan(100);
    // 2 req/s: the wait is the requests needed over that rate.
    expect(last?.msNeeded).toBeCloseTo(((last?.requestsNeeded ?? 0) / 2) * 1_000, -3);
    expect(last?.summary).toMatch(/needs [\d,]+ more canary requests \(about \d+ (min|s|h) at the current rate\)/);
  });
});
