import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { RunEvent } from "./events.ts";
import { HOUR, MINUTE, T0, actors, atApprovalGate, confirmStep, createRun, expectRefused, feed, inRollout, finished, phaseFinished, throughRollout } from "./testing.ts";
import { ENGINE_ACTOR, type Actor, type RollbackStepKind, type RunState } from "./types.ts";

const rollback = (reason: string, actor: Actor = actors.onCall): RunEvent => ({ kind: "rollback", actor, reason });
const stepDone = (step: RollbackStepKind, detail = `${step} done`): RunEvent => ({ kind: "rollbackStepFinished", step, status: "done", detail });
const stepStatuses = (run: RunState) => run.rollback?.steps.map((s) => [s.kind, s.status]);

describe("rolling back a canary at 5% through the manual router", () => {
  const holding = confirmStep(inRollout(), T0);
  const started = feed(holding, [rollback("error rate 2.3% on the canary")], T0 + 10 * MINUTE);

  it("alerts, asks for traffic back to 0% and records who asked and why", () => {
    expect(started.state).toMatchObject({ status: "rolling_back", waitingFor: "weight_confirmation", holdEndsAt: null, canaryPercent: 5 });
    expect(started.state.rollback).toMatchObject({ reason: "error rate 2.3% on the canary", requestedBy: actors.onCall.id, trigger: null, startedAt: T0 + 10 * MINUTE });
    expect(stepStatuses(started.state)).toEqual([
      ["revert_traffic", "running"],
      ["data_migration", "pending"],
      ["cache_invalidation", "pending"],
      ["notify", "pending"],
      ["postmortem", "pending"],
    ]);
    expect(started.effects).toEqual([
      { kind: "notify", severity: "critical", message: "Rolling back checkout v1.5.0: error rate 2.3% on the canary" },
      { kind: "notify", severity: "critical", message: "Set checkout canary traffic to 0% now and confirm in Flightdeck." },
    ]);
    expect(started.decisions).toEqual([
      expect.objectContaining({ trigger: "operator", verdict: "rollback", reason: "Rollback by Otto On-call: error rate 2.3% on the canary", evidence: { canaryPercent: 5, step: 0 } }),
    ]);
  });

  it("is idempotent: a second rollback adds nothing", () => {
    const again = decide(started.state, rollback("still bad", actors.manager), T0 + 11 * MINUTE);
    expect(again).toMatchObject({ rejected: null, note: "Already rolling back.", effects: [], decisions: [] });
    expect(again.state).toEqual(started.state);
  });

  it("accepts only 0% as the traffic confirmation", () => {
    expectRefused(started.state, { kind: "confirmWeight", actor: actors.onCall, percent: 5 }, "During a rollback the canary weight must go to 0%.");
  });

  it("runs the remaining steps in order, one at a time, and ends rolled back with the reason", () => {
    const reverted = feed(started.state, [{ kind: "confirmWeight", actor: actors.onCall, percent: 0 }], T0 + 12 * MINUTE);
    expect(reverted.state).toMatchObject({ canaryPercent: 0, waitingFor: null, status: "rolling_back" });
    expect(reverted.state.rollback?.steps[0]).toEqual({ kind: "revert_traffic", status: "done", detail: "Confirmed at 0% by Otto On-call" });
    expect(reverted.effects).toEqual([{ kind: "rollbackStep", step: "data_migration", percent: 0 }]);

    const later = decide(reverted.state, { kind: "confirmWeight", actor: actors.onCall, percent: 0 }, T0 + 13 * MINUTE);
    expect(later).toMatchObject({ rejected: null, note: "Traffic is already back on the baseline.", effects: [] });

    let run = reverted.state;
    const requested: RollbackStepKind[] = [];
    for (const step of ["data_migration", "cache_invalidation", "notify"] as const) {
      const t = feed(run, [stepDone(step)], T0 + 20 * MINUTE);
      for (const e of t.effects) if (e.kind === "rollbackStep") requested.push(e.step);
      run = t.state;
    }
    expect(requested).toEqual(["cache_invalidation", "notify", "postmortem"]);
    expect(run.status).toBe("rolling_back");

    const done = feed(run, [stepDone("postmortem", "postmortem scheduled")], T0 + HOUR);
    expect(done.state).toMatchObject({ status: "rolled_back", phase: "done", finishedAt: T0 + HOUR, waitingFor: null });
    expect(done.state.outcome).toBe("Rolled back: error rate 2.3% on the canary");
    expect(done.effects).toEqual([]);
  });

  it("ignores a step reported out of order", () => {
    const reverted = feed(started.state, [{ kind: "confirmWeight", actor: actors.onCall, percent: 0 }]).state;
    const early = decide(reverted, stepDone("postmortem"), T0);
    expect(early.state).toEqual(reverted);
    expect(early.effects).toEqual([]);
  });

  it("refuses everything that would restart or hold the rollout meanwhile", () => {
    const s = started.state;
    expectRefused(s, { kind: "promote", actor: actors.manager, reason: "go" }, "A rollback is in progress; the run cannot be promoted now.");
    expectRefused(s, { kind: "pause", actor: actors.manager, reason: "wait" }, "A rollback is in progress; the run cannot be paused now.");
    expectRefused(s, { kind: "resume", actor: actors.manager }, "The run is not paused.");
    expectRefused(s, { kind: "abort", actor: actors.manager, reason: "stop" }, "A rollback is in progress; it cannot be aborted.");
    const t = decide(s, { kind: "tick" }, T0 + 24 * HOUR);
    expect(t.state).toEqual(s);
  });
});

describe("rolling back before traffic moved", () => {
  it("skips reverting traffic and goes straight to the other steps", () => {
    const rb = feed(atApprovalGate(), [rollback("bad config spotted", actors.manager)]);
    expect(rb.state.rollback?.steps[0]).toEqual({ kind: "revert_traffic", status: "skipped", detail: "No traffic had reached the canary." });
    expect(rb.state.waitingFor).toBeNull();
    expect(rb.effects.filter((e) => e.kind !== "notify")).toEqual([{ kind: "rollbackStep", step: "data_migration", percent: 0 }]);
    const done = feed(rb.state, (["data_migration", "cache_invalidation", "notify", "postmortem"] as const).map((s) => stepDone(s))).state;
    expect(done).toMatchObject({ status: "rolled_back", outcome: "Rolled back: bad config spotted" });
  });

  it("cancels pre-deploy checks still running", () => {
    const started = feed(createRun(), [{ kind: "start" }, { kind: "agentStarted", phase: "pre_deploy", agent: "devops-engineer" }]).state;
    const rb = feed(started, [rollback("wrong service", actors.manager)]);
    expect(rb.effects[0]).toEqual({ kind: "cancelAgents", reason: "rolling back" });
    expect(rb.state.agents.filter((a) => a.phase === "pre_deploy").every((a) => a.status === "cancelled")).toBe(true);
    // A check finishing afterwards changes nothing.
    const [late] = phaseFinished("pre_deploy", "passed");
    if (!late) throw new Error("agent expected");
    expect(decide(rb.state, late, T0).state).toEqual(rb.state);
  });

  it("still asks for 0% when the operator may already be shifting step 0", () => {
    const rb = feed(inRollout(), [rollback("abandon")]).state;
    expect(rb.rollback?.steps[0]?.status).toBe("running");
    expect(rb.waitingFor).toBe("weight_confirmation");
  });

  it("refuses approval, waiver and rejection at a gate left open by the rollback", () => {
    const gate = atApprovalGate({}, { preDeploy: "not_configured" });
    const rb = feed(gate, [rollback("release pulled", actors.manager)]).state;
    expectRefused(rb, { kind: "approve", actor: actors.manager, reason: "ok" }, "A rollback is in progress; the run cannot be approved now.");
    expectRefused(rb, { kind: "waive", actor: actors.manager, reason: "ok" }, "A rollback is in progress; the run cannot be waived now.");
    expectRefused(rb, { kind: "reject", actor: actors.manager, reason: "no" }, "A rollback is in progress; the run cannot be rejected now.");
  });
});

describe("rollback outcomes", () => {
  const rollingBack = feed(confirmStep(inRollout(), T0), [rollback("latency p99 doubled")]).state;

  it("fails the run when traffic could not be reverted, after finishing the other steps", () => {
    const t = feed(rollingBack, [{ kind: "rollbackStepFinished", step: "revert_traffic", status: "failed", detail: "ingress unreachable" }]);
    expect(t.effects).toEqual([
      { kind: "notify", severity: "critical", message: "Could not revert traffic: ingress unreachable" },
      { kind: "rollbackStep", step: "data_migration", percent: 0 },
    ]);
    expect(t.state.canaryPercent).toBe(5);
    const done = feed(t.state, (["data_migration", "cache_invalidation", "notify", "postmortem"] as const).map((s) => stepDone(s))).state;
    expect(done).toMatchObject({ status: "failed", outcome: "Rollback could not revert traffic: latency p99 doubled" });
  });

  it("still ends rolled back when a later step fails, showing which one", () => {
    const reverted = feed(rollingBack, [{ kind: "confirmWeight", actor: actors.onCall, percent: 0 }]).state;
    const done = feed(reverted, [
      { kind: "rollbackStepFinished", step: "data_migration", status: "failed", detail: "down-migration missing" },
      stepDone("cache_invalidation"),
      stepDone("notify"),
      stepDone("postmortem"),
    ]).state;
    expect(done.status).toBe("rolled_back");
    expect(done.rollback?.steps[1]).toEqual({ kind: "data_migration", status: "failed", detail: "down-migration missing" });
  });

  it("rolls back a paused run without keeping its hold", () => {
    const paused = feed(confirmStep(inRollout(), T0), [{ kind: "pause", actor: actors.onCall, reason: "" }], T0 + MINUTE).state;
    const rb = feed(paused, [rollback("decided to stop")]).state;
    expect(rb).toMatchObject({ status: "rolling_back", pausedRemainingMs: null, holdEndsAt: null });
  });

  it("records the rule that fired for an engine-requested rollback", () => {
    const holding = confirmStep(inRollout(), T0);
    const rb = feed(holding, [{ kind: "rollback", actor: ENGINE_ACTOR, reason: "error rate 1.4% > 1%", trigger: "error-rate" }]);
    expect(rb.state.rollback).toMatchObject({ requestedBy: "engine", trigger: "error-rate" });
    expect(rb.decisions[0]).toMatchObject({ trigger: "error-rate", verdict: "rollback" });
  });

  it("ignores the release record arriving after a rollback from the record phase", () => {
    const post = throughRollout(inRollout());
    const recording = feed(post, [...phaseFinished("post_deploy", "passed")]).state;
    expect(recording.phase).toBe("record");
    const rb = feed(recording, [rollback("customer reports", actors.manager)]).state;
    expect(decide(rb, { kind: "recordWritten" }, T0).state).toEqual(rb);
  });
});

describe("post-deploy verification", () => {
  const post = throughRollout(inRollout());

  it("rolls back automatically when the health check fails", () => {
    const t = feed(post, [finished("post_deploy", "post-deploy-health", "failed", {}, "5xx rate 4%")], T0 + 3 * HOUR);
    expect(t.state.status).toBe("rolling_back");
    expect(t.state.rollback).toMatchObject({ requestedBy: "engine", trigger: "post-deploy-verification", reason: "Post-deploy verification failed: post-deploy-health (5xx rate 4%; 1 critical finding(s) block (critical or above))" });
    expect(t.decisions).toEqual([
      expect.objectContaining({ trigger: "post-deploy-verification", verdict: "rollback", reason: "Automatic rollback: Post-deploy verification failed: post-deploy-health (5xx rate 4%; 1 critical finding(s) block (critical or above))" }),
    ]);
    expect(t.state).toMatchObject({ waitingFor: "weight_confirmation", canaryPercent: 100 });
  });

  it("rolls back automatically on a critical finding even if the check passed", () => {
    const t = feed(post, [finished("post_deploy", "post-deploy-health", "passed", { critical: 1 }, "1 critical alert")]);
    expect(t.state.rollback?.trigger).toBe("post-deploy-verification");
  });

  it("asks for a waiver, not a rollback, when the health check could not run", () => {
    const t = feed(post, [finished("post_deploy", "post-deploy-health", "error", {}, "metrics API down")]);
    expect(t.state).toMatchObject({ status: "running", phase: "post_deploy", waitingFor: "waiver", rollback: null });
  });

  it("writes the release record when the health check passes", () => {
    const t = feed(post, phaseFinished("post_deploy", "passed"));
    expect(t.state).toMatchObject({ phase: "record", status: "running" });
    expect(t.effects).toEqual([{ kind: "writeRecord" }]);
  });
});
