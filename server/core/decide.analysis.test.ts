import { describe, expect, it } from "vitest";
import { decide, nextDeadline } from "./decide.ts";
import { defaultAnalysisConfig } from "./analysis/triggers.ts";
import type { AnalysisSnapshot, RunState } from "./types.ts";
import { T0, feed, inRollout } from "./testing.ts";

/** A run on the built-in router (automated weights and analysis), holding at step 1 (5%). */
function holdingWithAnalysis(): RunState {
  const s = inRollout({ router: "builtin", analysis: defaultAnalysisConfig() });
  expect(s.waitingFor).toBeNull();
  return feed(s, [{ kind: "weightApplied", stepIndex: 0, percent: 5 }]).state;
}

const snapshot = (verdict: AnalysisSnapshot["verdict"], extra: Partial<AnalysisSnapshot> = {}): AnalysisSnapshot => ({
  verdict,
  summary: `verdict ${verdict}`,
  requestsNeeded: verdict === "insufficient" ? 1200 : 0,
  decidedBy: null,
  at: T0,
  ...extra,
});

describe("automated analysis", () => {
  it("an automated router applies weights itself: no operator confirmation, the run holds once the router reports", () => {
    const s = inRollout({ router: "builtin", analysis: defaultAnalysisConfig() });
    const t = decide(s, { kind: "weightApplied", stepIndex: 0, percent: 5 }, T0);
    expect(t.state.stepPhase).toBe("holding");
    expect(nextDeadline(t.state)).toBe(T0 + (s.steps[0]?.holdMs ?? NaN));
  });

  it("a rollback verdict rolls back at once, with the trigger's numbers as the reason, and reverts traffic first", () => {
    const s = holdingWithAnalysis();
    const message = "Canary error rate 48% (24 of 50) vs threshold 1%: evidence 3.2e4 ≥ 400 → roll back";
    const t = decide(s, { kind: "analysis", stepIndex: 0, result: snapshot("rollback", { decidedBy: { trigger: "error-rate", message } }) }, T0 + 1000);
    expect(t.state.status).toBe("rolling_back");
    expect(t.state.rollback).toMatchObject({ reason: message, trigger: "error-rate", requestedBy: "engine" });
    expect(t.effects).toContainEqual({ kind: "rollbackStep", step: "revert_traffic", percent: 0 });
    expect(t.decisions).toContainEqual(expect.objectContaining({ verdict: "rollback", trigger: "error-rate", reason: `Automatic rollback: ${message}` }));
  });

  it("insufficient evidence at the end of the hold keeps the step and says how many requests are missing", () => {
    let s = holdingWithAnalysis();
    s = feed(s, [{ kind: "analysis", stepIndex: 0, result: snapshot("insufficient") }]).state;
    const end = s.holdEndsAt ?? 0;
    const t = decide(s, { kind: "tick" }, end);
    expect(t.state.stepIndex).toBe(0);
    expect(t.state.waitingFor).toBe("evidence");
    expect(t.decisions[0]?.reason).toMatch(/1200 more canary requests needed/);
    expect(nextDeadline(t.state)).toBeNull();
    // Once enough requests arrive and the canary is healthy, the step goes on by itself.
    const later = decide(t.state, { kind: "analysis", stepIndex: 0, result: snapshot("pass") }, end + 5000);
    expect(later.state.stepIndex).toBe(1);
    expect(later.effects).toContainEqual({ kind: "setWeight", stepIndex: 1, percent: 50 });
  });

  it("no analysis at all (no traffic) never counts as healthy", () => {
    const s = holdingWithAnalysis();
    const t = decide(s, { kind: "tick" }, s.holdEndsAt ?? 0);
    expect(t.state.stepIndex).toBe(0);
    expect(t.state.waitingFor).toBe("evidence");
    expect(t.decisions[0]?.reason).toMatch(/no canary analysis has run yet/);
  });

  it("a healthy canary advances at the end of its hold with the evidence in the decision", () => {
    let s = holdingWithAnalysis();
    s = feed(s, [{ kind: "analysis", stepIndex: 0, result: snapshot("pass", { summary: "error rate 0.1% of 2,400; p95 within 1.5×" }) }]).state;
    const t = decide(s, { kind: "tick" }, s.holdEndsAt ?? 0);
    expect(t.state.stepIndex).toBe(1);
    expect(t.decisions[0]).toMatchObject({ trigger: "analysis", verdict: "advance" });
    expect(t.decisions[0]?.reason).toContain("error rate 0.1% of 2,400");
  });

  it("a hold verdict asks a human once, notifies, and does not advance when the hold ends", () => {
    let s = holdingWithAnalysis();
    const hold = snapshot("hold", { decidedBy: { trigger: "error-rate-hold", message: "error rate 0.5% above the 0.1% hold level" } });
    const first = decide(s, { kind: "analysis", stepIndex: 0, result: hold }, T0 + 10);
    expect(first.state.waitingFor).toBe("analysis");
    expect(first.effects.filter((e) => e.kind === "notify")).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining("error rate 0.5% above the 0.1% hold level") })]);
    expect(first.decisions).toEqual([expect.objectContaining({ trigger: "error-rate-hold", verdict: "hold", reason: "Holding for a human: error rate 0.5% above the 0.1% hold level" })]);
    const again = decide(first.state, { kind: "analysis", stepIndex: 0, result: hold }, T0 + 20);
    expect(again.decisions).toHaveLength(0);
    s = again.state;
    const t = decide(s, { kind: "tick" }, s.holdEndsAt ?? 0);
    expect(t.state.stepIndex).toBe(0);
    expect(t.state.waitingFor).toBe("analysis");
  });

  it("analysis of a step that is over, or of another step, changes nothing", () => {
    const s = holdingWithAnalysis();
    const t = decide(s, { kind: "analysis", stepIndex: 1, result: snapshot("rollback") }, T0);
    expect(t.state).toEqual(s);
  });
});
