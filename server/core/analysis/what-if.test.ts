import { describe, expect, it } from "vitest";
import { analysisFor } from "../policy.ts";
import { DEFAULT_ANALYSIS_POLICY, policyOf, withAnalysisPolicy } from "./analysis-policy.ts";
import { replayRun, REPLAY_GRANULARITY_NOTE, type ReplayStep, type ReplayWindow } from "./what-if.ts";
import { stepTimeline, windowsByStep, type DecisionFact } from "./what-if-steps.ts";

// Synthetic stored windows: the baseline's latency has an exponential tail with p95 = 200 ms, and
// a canary slowed by ×m has the same shape stretched by m, so "slower than T" is n·exp(−T/(m·λ)).
const LAMBDA = 200 / Math.log(20);
const T0 = Date.UTC(2026, 11, 5, 9, 0, 0);
const WINDOW = 10_000;

type Fault = { fromMs: number; errorRate?: number; slowdown?: number };

function windows(count: number, startAt: number, canaryPerWindow: number, fault: Fault | null): ReplayWindow[] {
  return Array.from({ length: count }, (_, i) => {
    const at = startAt + (i + 1) * WINDOW;
    const faulty = fault !== null && at - startAt > fault.fromMs;
    const errorRate = faulty ? (fault.errorRate ?? 0) : 0;
    const m = faulty ? (fault.slowdown ?? 1) : 1;
    const side = (requests: number, errors: number) => ({ requests, errors, attempts: 0, conversions: 0, cpuPercent: 20, memoryPercent: 30 });
    return {
      at,
      baseline: side(19 * canaryPerWindow, 0),
      canary: side(canaryPerWindow, Math.round(errorRate * canaryPerWindow)),
      baselineLatencyMs: { p95: LAMBDA * Math.log(20), p99: LAMBDA * Math.log(100) },
      canarySlowerThan: (thresholdMs: number) => Math.floor(canaryPerWindow * Math.exp(-thresholdMs / (m * LAMBDA))),
    };
  });
}

function step(index: number, startedAt: number, holdMs: number, ws: ReplayWindow[]): ReplayStep {
  const endedAt = ws.at(-1)?.at ?? startedAt;
  return {
    index,
    label: `step ${index + 1}`,
    percent: 5,
    holdMs,
    startedAt,
    endedAt,
    actual: { kind: "promoted", at: endedAt, by: "analysis", reason: "healthy" },
    actualHoldAt: null,
    windows: ws,
  };
}

const production = analysisFor("production");
const strictErrorsLooseLatency = withAnalysisPolicy(production, { p95Factor: 3, p95Hold: null, p99Factor: 3 });
const looseErrorsStrictLatency = withAnalysisPolicy(production, { errorRollbackAbove: 0.1, errorHoldAbove: null });

describe("what-if replay", () => {
  // 10 minutes at 10 canary requests/s; 3% errors from the 2nd minute.
  const errorFault = [step(0, T0, 10 * 60_000, windows(60, T0, 100, { fromMs: 120_000, errorRate: 0.03 }))];

  it("a stricter error threshold rolls back a fault the looser one lets through", () => {
    const strict = replayRun(production, errorFault);
    expect(strict.verdict).toBe("rollback");
    const outcome = strict.steps[0]?.outcome;
    expect(outcome?.kind).toBe("rollback");
    if (outcome?.kind !== "rollback") return;
    expect(outcome.trigger).toBe("error-rate");
    expect(outcome.afterMs).toBeGreaterThan(120_000);
    expect(outcome.afterMs).toBeLessThan(300_000);
    expect(strict.summary).toMatch(/^Would have rolled back at step 1: rolled back after \d+ (s|min) \(error-rate\)$/);

    const loose = replayRun(looseErrorsStrictLatency, errorFault);
    expect(loose.verdict).not.toBe("rollback");
    expect(loose.steps[0]?.firstRollback).toBeNull();
  });

  it("a stricter latency factor rolls back a slowdown the looser one lets through", () => {
    const slowdown = [step(0, T0, 10 * 60_000, windows(60, T0, 100, { fromMs: 60_000, slowdown: 2 }))];
    const strict = replayRun(looseErrorsStrictLatency, slowdown);
    expect(strict.steps[0]?.outcome).toMatchObject({ kind: "rollback", trigger: "latency-p95" });
    const loose = replayRun(strictErrorsLooseLatency, slowdown);
    expect(loose.steps[0]?.firstRollback).toBeNull();
    // …while the same loose-latency policy is the stricter one on errors.
    expect(replayRun(strictErrorsLooseLatency, errorFault).verdict).toBe("rollback");
  });

  it("promotes a healthy step only once its hold has elapsed, and says so for each step", () => {
    const second = T0 + 5 * 60_000;
    const run = [step(0, T0, 3 * 60_000, windows(30, T0, 300, null)), step(1, second, 2 * 60_000, windows(30, second, 3_000, null))];
    const replay = replayRun(production, run);
    expect(replay.verdict).toBe("promote");
    for (const s of replay.steps) {
      expect(s.outcome.kind).toBe("promote");
      if (s.outcome.kind !== "promote") continue;
      expect(s.outcome.afterMs).toBeGreaterThanOrEqual(s.index === 0 ? 3 * 60_000 : 2 * 60_000);
      expect(s.firstPass?.at).toBeLessThanOrEqual(s.outcome.at);
    }
    expect(replay.summary).toMatch(/^Would have promoted step 1 after .+, step 2 after /);
    expect(replay.notes).toContain(REPLAY_GRANULARITY_NOTE);
  });

  it("says a step was still short of evidence when its data ended, and skips steps after a rollback", () => {
    const thin = replayRun(production, [step(0, T0, 60_000, windows(12, T0, 5, null))]);
    expect(thin.verdict).toBe("waiting");
    expect(thin.steps[0]?.wouldHave).toBe("still insufficient evidence when the stored data ends");

    const later = T0 + 11 * 60_000;
    const afterRollback = replayRun(production, [...errorFault, step(1, later, 60_000, windows(6, later, 100, null))]);
    expect(afterRollback.steps[1]?.wouldHave).toBe("not reached (rolled back before)");
  });
});

describe("a finished run's steps on the clock", () => {
  const at = (s: number) => T0 + s * 1000;
  const decisions: DecisionFact[] = [
    { stepIndex: 0, trigger: "router", verdict: "hold", reason: "5%: weight applied", evidence: { percent: 5, holdMs: 60_000 }, at: at(0) },
    { stepIndex: 0, trigger: "analysis", verdict: "advance", reason: "healthy", evidence: {}, at: at(65) },
    { stepIndex: 1, trigger: "router", verdict: "hold", reason: "50%: weight applied", evidence: { percent: 50, holdMs: 60_000 }, at: at(67) },
    { stepIndex: 1, trigger: "error-rate-hold", verdict: "hold", reason: "Holding for a human", evidence: { requestsNeeded: 10 }, at: at(80) },
    { stepIndex: 1, trigger: "error-rate", verdict: "rollback", reason: "Automatic rollback: errors", evidence: {}, at: at(95) },
  ];
  const steps = [
    { label: "5%", percent: 5, holdMs: 60_000 },
    { label: "50%", percent: 50, holdMs: 60_000 },
    { label: "100%", percent: 100, holdMs: 0 },
  ];

  it("reads each step's start, end and real outcome from its decisions", () => {
    const timeline = stepTimeline(steps, decisions, at(100));
    expect(timeline.map((s) => [s.startedAt, s.endedAt, s.actual.kind])).toEqual([
      [at(0), at(65), "promoted"],
      [at(67), at(95), "rolledBack"],
      [null, null, "notReached"],
    ]);
    expect(timeline[1]?.actualHoldAt).toBe(at(80));
  });

  it("gives each stored window to the step it overlaps most", () => {
    const timeline = stepTimeline(steps, decisions, at(100));
    const spans = [-5, 5, 60, 70, 90, 120].map((s) => ({ start: at(s), ms: WINDOW }));
    expect(windowsByStep(timeline, spans)).toEqual([[0, 1, 2], [3, 4], []]);
  });
});

describe("analysis policy", () => {
  it("leaves the procedure's config exactly as it is with the default numbers", () => {
    for (const env of ["production", "staging"] as const) {
      expect(withAnalysisPolicy(analysisFor(env), DEFAULT_ANALYSIS_POLICY)).toEqual(analysisFor(env));
      expect(policyOf(analysisFor(env))).toEqual(DEFAULT_ANALYSIS_POLICY);
    }
  });

  it("sets α from the confidence level and scales the sample with the threshold", () => {
    const c = withAnalysisPolicy(analysisFor("staging"), { confidence: 0.999, errorRollbackAbove: 0.05, errorHoldAbove: 0.1 });
    expect(c.alpha).toBe(0.001);
    expect(c.triggers[0]).toEqual({ kind: "errorRate", rollbackAbove: 0.05, holdAbove: null, detectAtLeast: 0.25 });
  });
});
