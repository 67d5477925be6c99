import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import { HOUR, MINUTE, T0, actors, atApprovalGate, confirmStep, createRun, expectRefused, feed, inRollout, phaseFinished, throughRollout } from "./testing.ts";

const pause = { kind: "pause", actor: actors.onCall, reason: "incident in payments" } as const;
const resume = { kind: "resume", actor: actors.manager } as const;

describe("pause and resume", () => {
  const holding = confirmStep(inRollout(), T0); // 5% holds until T0 + 30 min

  it("keeps the hold's remaining time while paused and restarts the clock on resume", () => {
    const paused = feed(holding, [pause], T0 + 10 * MINUTE);
    expect(paused.state).toMatchObject({ status: "paused", holdEndsAt: null, pausedRemainingMs: 20 * MINUTE, stepPhase: "holding" });
    expect(paused.decisions).toEqual([expect.objectContaining({ verdict: "pause", reason: "Paused by Otto On-call: incident in payments", evidence: { remainingMs: 20 * MINUTE } })]);

    // The deadline passing while paused moves nothing.
    const tick = decide(paused.state, { kind: "tick" }, T0 + HOUR);
    expect(tick.state).toEqual(paused.state);

    const resumed = feed(paused.state, [resume], T0 + 2 * HOUR);
    expect(resumed.state).toMatchObject({ status: "running", holdEndsAt: T0 + 2 * HOUR + 20 * MINUTE, pausedRemainingMs: null, stepIndex: 0 });
    expect(resumed.decisions).toEqual([expect.objectContaining({ verdict: "resume", reason: "Resumed by Rita Manager" })]);
  });

  it("pausing twice is a no-op that says so", () => {
    const paused = feed(holding, [pause], T0 + MINUTE).state;
    const again = decide(paused, pause, T0 + 2 * MINUTE);
    expect(again).toMatchObject({ rejected: null, note: "The run is already paused.", effects: [], decisions: [] });
    expect(again.state).toEqual(paused);
  });

  it("refuses to resume a run that is not paused", () => {
    expectRefused(holding, resume, "The run is not paused.");
  });

  it("refuses to pause outside the rollout", () => {
    expectRefused(atApprovalGate(), pause, "Only a rollout can be paused.");
    expectRefused(throughRollout(inRollout()), pause, "Only a rollout can be paused.");
  });

  it("does not start the hold when traffic is confirmed while paused", () => {
    const paused = feed(inRollout(), [pause], T0).state;
    expect(paused).toMatchObject({ status: "paused", stepPhase: "shifting", pausedRemainingMs: null });
    const confirmed = feed(paused, [{ kind: "confirmWeight", actor: actors.manager, percent: 5 }], T0 + MINUTE).state;
    expect(confirmed).toMatchObject({ status: "paused", stepPhase: "holding", canaryPercent: 5, holdEndsAt: null, pausedRemainingMs: 30 * MINUTE });
    const resumed = feed(confirmed, [resume], T0 + HOUR).state;
    expect(resumed.holdEndsAt).toBe(T0 + HOUR + 30 * MINUTE);
  });
});

describe("promote", () => {
  it("skips the rest of the hold and records how much was left", () => {
    const holding = confirmStep(inRollout(), T0);
    const promoted = feed(holding, [{ kind: "promote", actor: actors.manager, reason: "metrics flat, customer waiting" }], T0 + 5 * MINUTE);
    expect(promoted.state).toMatchObject({ stepIndex: 1, stepPhase: "shifting", waitingFor: "weight_confirmation", holdEndsAt: null });
    expect(promoted.decisions).toEqual([
      expect.objectContaining({ stepIndex: 0, verdict: "promote", reason: "Promoted early by Rita Manager: metrics flat, customer waiting", evidence: { holdLeftMs: 25 * MINUTE } }),
    ]);
    expect(promoted.effects).toEqual([expect.objectContaining({ kind: "notify", message: expect.stringContaining("50%") })]);
  });

  it("resumes a paused run into the next step", () => {
    const paused = feed(confirmStep(inRollout(), T0), [pause], T0 + 10 * MINUTE).state;
    const promoted = feed(paused, [{ kind: "promote", actor: actors.manager, reason: "incident unrelated" }], T0 + HOUR);
    expect(promoted.state).toMatchObject({ status: "running", stepIndex: 1, pausedRemainingMs: null });
    expect(promoted.decisions[0]?.evidence).toEqual({ holdLeftMs: 20 * MINUTE });
  });

  it("from the last step starts the post-deploy checks", () => {
    let run = inRollout();
    for (let i = 0; i < 2; i++) run = feed(confirmStep(run), [{ kind: "promote", actor: actors.manager, reason: "ok" }]).state;
    const last = feed(confirmStep(run), [{ kind: "promote", actor: actors.manager, reason: "ok" }]);
    expect(last.state).toMatchObject({ phase: "post_deploy", canaryPercent: 100, stepPhase: null });
    expect(last.effects).toEqual([{ kind: "runAgents", phase: "post_deploy", agents: ["post-deploy-health"] }]);
  });

  it("is refused while traffic is still shifting, and outside the rollout", () => {
    expectRefused(inRollout(), { kind: "promote", actor: actors.manager, reason: "hurry" }, "The current step's traffic weight is not applied yet; confirm it first.");
    expectRefused(atApprovalGate(), { kind: "promote", actor: actors.manager, reason: "hurry" }, "Only a rollout step can be promoted.");
  });
});

describe("traffic confirmation", () => {
  it("refuses a weight the step did not ask for", () => {
    expectRefused(inRollout(), { kind: "confirmWeight", actor: actors.manager, percent: 50 }, "This step asks for 5% on the canary, not 50%.");
  });

  it("refuses a confirmation nobody is waiting for", () => {
    expectRefused(confirmStep(inRollout()), { kind: "confirmWeight", actor: actors.manager, percent: 5 }, "No traffic change is waiting for confirmation.");
    expectRefused(atApprovalGate(), { kind: "confirmWeight", actor: actors.manager, percent: 5 }, "No traffic change is waiting for confirmation.");
  });

  it("accepts the router's report for the current step and ignores a stale one", () => {
    const shifting = inRollout();
    const stale = decide(shifting, { kind: "weightApplied", stepIndex: 3, percent: 5 }, T0);
    expect(stale.state).toEqual(shifting);
    const applied = feed(shifting, [{ kind: "weightApplied", stepIndex: 0, percent: 5 }], T0);
    expect(applied.state).toMatchObject({ stepPhase: "holding", canaryPercent: 5, holdEndsAt: T0 + 30 * MINUTE });
    expect(applied.decisions).toEqual([expect.objectContaining({ trigger: "router", verdict: "hold", reason: "Canary 5%: weight 5% applied and verified; holding 1800 s" })]);
  });

  it("holds and alerts when the router fails, and ignores failures from another step", () => {
    const shifting = inRollout();
    const failed = feed(shifting, [{ kind: "routerFailed", stepIndex: 0, error: "ingress API 503" }]);
    expect(failed.state).toMatchObject({ status: "running", stepIndex: 0, waitingFor: "weight_confirmation", canaryPercent: 0 });
    expect(failed.effects).toEqual([{ kind: "notify", severity: "critical", message: "Traffic router failed: ingress API 503. The run holds." }]);
    expect(decide(shifting, { kind: "routerFailed", stepIndex: 1, error: "x" }, T0).state).toEqual(shifting);
  });
});

describe("ticks", () => {
  it("do nothing outside a hold", () => {
    for (const run of [createRun(), atApprovalGate(), inRollout()]) {
      const t = decide(run, { kind: "tick" }, T0 + 24 * HOUR);
      expect(t.state).toEqual(run);
      expect(t.effects).toEqual([]);
    }
  });
});

describe("strategies in the rollout", () => {
  it("rolls out in four batches of 25%", () => {
    let run = inRollout({ strategy: "rolling" });
    const seen: number[] = [];
    while (run.phase === "rollout") {
      run = confirmStep(run, T0);
      seen.push(run.canaryPercent);
      run = feed(run, [{ kind: "tick" }], T0 + 10 * MINUTE).state;
    }
    expect(seen).toEqual([25, 50, 75, 100]);
    expect(run.phase).toBe("post_deploy");
  });

  it("blue-green first verifies green at 0% and then switches all traffic", () => {
    const first = confirmStep(inRollout({ strategy: "blue-green" }), T0);
    expect(first).toMatchObject({ stepPhase: "holding", canaryPercent: 0, holdEndsAt: T0 + 10 * MINUTE });
    const switching = feed(first, [{ kind: "tick" }], T0 + 10 * MINUTE).state;
    expect(confirmStep(switching, T0 + HOUR)).toMatchObject({ canaryPercent: 100, holdEndsAt: T0 + HOUR + 30 * MINUTE });
  });

  it("immediate goes to 100% in one step", () => {
    const run = inRollout({ strategy: "immediate" });
    expect(confirmStep(run)).toMatchObject({ canaryPercent: 100, holdEndsAt: T0 + 10 * MINUTE });
  });
});

describe("abort", () => {
  it("is allowed during pre-deploy checks and cancels the agents still working", () => {
    const started = feed(createRun(), [{ kind: "start" }, { kind: "agentStarted", phase: "pre_deploy", agent: "qa-test-engineer" }]).state;
    const aborted = feed(started, [{ kind: "abort", actor: actors.manager, reason: "wrong branch" }], T0 + MINUTE);
    expect(aborted.state).toMatchObject({ status: "aborted", phase: "done", finishedAt: T0 + MINUTE, outcome: "Aborted by Rita Manager: wrong branch" });
    expect(aborted.effects).toEqual([{ kind: "cancelAgents", reason: "aborted by Rita Manager" }, { kind: "writeRecord" }]);
    expect(aborted.state.agents.filter((a) => a.phase === "pre_deploy").map((a) => a.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(aborted.state.agents.filter((a) => a.phase !== "pre_deploy").every((a) => a.status === "pending")).toBe(true);
  });

  it("is allowed at the approval gate", () => {
    const aborted = feed(atApprovalGate(), [{ kind: "abort", actor: actors.admin, reason: "release cancelled" }]);
    expect(aborted.state.status).toBe("aborted");
    expect(aborted.decisions).toEqual([expect.objectContaining({ verdict: "abort", reason: "Aborted by Ada Admin: release cancelled" })]);
  });

  it("is refused once the rollout has begun, even before traffic moved", () => {
    const message = "Traffic has reached the new version: roll back instead of aborting.";
    const abort = { kind: "abort", actor: actors.manager, reason: "stop" } as const;
    expectRefused(inRollout(), abort, message);
    expectRefused(confirmStep(inRollout()), abort, message);
    expectRefused(feed(throughRollout(inRollout()), phaseFinished("post_deploy", "not_configured")).state, abort, message);
  });
});
