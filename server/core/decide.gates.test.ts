import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { RunCommand, RunEvent } from "./events.ts";
import { HOUR, MINUTE, T0, actors, atApprovalGate, confirmStep, createRun, expectRefused, feed, inRollout, finished, phaseFinished, reportFor } from "./testing.ts";
import type { CheckReport, RunParams, RunState } from "./types.ts";

const approve = (actor: RunCommand["actor"], reason = "reviewed"): RunEvent => ({ kind: "approve", actor, reason });

/** A run whose checks all passed except one build agent with the given result. */
function gateWith(overrides: Partial<RunParams>, systems: CheckReport): RunState {
  const run = feed(createRun(overrides), [{ kind: "start" }, ...phaseFinished("pre_deploy", "passed")]).state;
  return feed(run, [
    { kind: "agentFinished", phase: "build", agent: "systems-engineer", report: systems },
    finished("build", "accessibility-expert", "passed", {}, ""),
  ]).state;
}

describe("approval gate with clean checks", () => {
  it("needs one approver in production and then starts the rollout", () => {
    const gate = atApprovalGate();
    expect(gate).toMatchObject({ phase: "approval", waitingFor: "approval" });
    expect(gate.gate).toMatchObject({ status: "open", requiredApprovals: 1, blockers: [] });
    const passed = feed(gate, [approve(actors.manager)]);
    expect(passed.state).toMatchObject({ phase: "rollout", stepIndex: 0, waitingFor: "weight_confirmation" });
    expect(passed.decisions.map((d) => [d.verdict, d.reason])).toEqual([
      ["approve", "Approved by Rita Manager: reviewed (1 of 1)"],
      ["advance", "Approved by Rita Manager"],
    ]);
  });

  it("lets the creator approve when no separation of duties applies", () => {
    expect(feed(atApprovalGate(), [approve(actors.creator)]).state.phase).toBe("rollout");
  });

  it("refuses approval and rejection while no gate is open", () => {
    const started = feed(createRun(), [{ kind: "start" }]).state;
    expectRefused(started, approve(actors.manager), "There is no open approval gate.");
    expectRefused(started, { kind: "reject", actor: actors.manager, reason: "no" }, "There is no open approval gate to reject.");
    const rollout = inRollout();
    expectRefused(rollout, approve(actors.secondManager), "There is no open approval gate.");
  });
});

describe("critical risk", () => {
  const gate = atApprovalGate({ risk: "critical" });

  it("needs two distinct approvers; the same person approving twice counts once", () => {
    expect(gate.gate.requiredApprovals).toBe(2);
    const once = feed(gate, [approve(actors.manager)]).state;
    expect(once).toMatchObject({ phase: "approval", waitingFor: "approval" });

    const twice = decide(once, approve(actors.manager, "really sure"), T0 + MINUTE);
    expect(twice).toMatchObject({ rejected: null, note: "You have already approved this gate.", effects: [], decisions: [] });
    expect(twice.state).toEqual(once);

    const both = feed(once, [approve(actors.secondManager)]);
    expect(both.state.gate.approvals.map((a) => a.userId)).toEqual([actors.manager.id, actors.secondManager.id]);
    expect(both.state).toMatchObject({ phase: "rollout", stepIndex: 0 });
    expect(both.decisions.at(-1)?.reason).toBe("Approved by Rita Manager, Sam Manager");
  });

  it("does not take a third approval while the gate waits for a waiver", () => {
    const blocked = atApprovalGate({ risk: "critical" }, { preDeploy: "not_configured" });
    const approved = feed(blocked, [approve(actors.manager), approve(actors.secondManager)]).state;
    expect(approved).toMatchObject({ phase: "approval", waitingFor: "waiver" });
    const third = decide(approved, approve(actors.admin), T0);
    expect(third).toMatchObject({ rejected: null, note: "The gate already has its approvals." });
    expect(third.state).toEqual(approved);
  });

  it("doubles every hold", () => {
    const run = inRollout({ risk: "critical" });
    expect(run.steps.map((s) => s.holdMs)).toEqual([60 * MINUTE, 4 * HOUR, 20 * MINUTE]);
    expect(confirmStep(run, T0).holdEndsAt).toBe(T0 + 60 * MINUTE);
  });
});

describe("SOX separation of duties", () => {
  it("refuses approval by the run's creator and leaves the gate as it was", () => {
    const gate = atApprovalGate({ compliance: "sox" });
    expectRefused(gate, approve(actors.creator), "Separation of duties (SOX): the person who created the run cannot approve it.");
    expect(feed(gate, [approve(actors.manager)]).state.phase).toBe("rollout");
  });
});

describe.each(["pci", "hipaa"] as const)("%s compliance", (compliance) => {
  const gate = gateWith({ compliance }, reportFor("passed", { high: 2 }, "2 high CVEs in openssl"));

  it("blocks on a high finding, and the block cannot be waived", () => {
    expect(gate.waitingFor).toBe("approval");
    expect(gate.gate.blockers).toEqual([{ id: "findings:systems-engineer", message: "systems-engineer: 2 finding(s) at high or above", waivable: false, waived: null }]);
    expectRefused(gate, { kind: "waive", actor: actors.admin, reason: "accepting the risk" }, "Nothing here can be waived.");
  });

  it("refuses approval and points to rejection", () => {
    expectRefused(gate, approve(actors.admin), "Policy blocks this gate: systems-engineer: 2 finding(s) at high or above. Reject the run instead.");
  });

  it("fails the run on rejection, recording who rejected it and why", () => {
    const rejected = feed(gate, [{ kind: "reject", actor: actors.manager, reason: "fix the CVEs first" }], T0 + HOUR);
    expect(rejected.state).toMatchObject({ status: "failed", phase: "done", waitingFor: null, finishedAt: T0 + HOUR });
    expect(rejected.state.outcome).toBe("Rejected at the approval gate by Rita Manager: fix the CVEs first");
    expect(rejected.state.gate).toMatchObject({ status: "rejected", rejected: { by: "Rita Manager", reason: "fix the CVEs first", at: T0 + HOUR } });
    expect(rejected.decisions).toEqual([expect.objectContaining({ verdict: "reject", reason: "Rejected by Rita Manager: fix the CVEs first" })]);
  });
});

describe("findings and failures without compliance", () => {
  it("lets a high finding through when policy only blocks critical ones", () => {
    const gate = gateWith({}, reportFor("passed", { high: 1 }, "1 high"));
    expect(gate.gate.blockers).toEqual([]);
    expect(gate.waitingFor).toBe("approval");
  });

  it("blocks unwaivably on a critical finding", () => {
    const gate = gateWith({}, reportFor("passed", { critical: 1 }, "RCE"));
    expect(gate.gate.blockers).toEqual([expect.objectContaining({ id: "findings:systems-engineer", waivable: false })]);
    expectRefused(gate, approve(actors.manager), /^Policy blocks this gate/);
  });

  it("blocks unwaivably on a critical finding in staging too", () => {
    const gate = gateWith({ environment: "staging", risk: "low" }, reportFor("failed", {}, "3 tests failed"));
    expect(gate).toMatchObject({ phase: "approval", waitingFor: "approval" });
    expect(gate.gate.blockers).toEqual([{ id: "findings:systems-engineer", message: "systems-engineer: 1 finding(s) at critical or above", waivable: false, waived: null }]);
    expect(gate.agents.find((a) => a.agent === "systems-engineer")).toMatchObject({ status: "failed", summary: "3 tests failed; 1 critical finding(s) block (critical or above)" });
    expectRefused(gate, { kind: "waive", actor: actors.manager, reason: "flaky" }, "Nothing here can be waived.");
  });

  it("lets an agent that could not run be waived with a reason", () => {
    const gate = gateWith({}, reportFor("error", {}, "runner timed out"));
    expect(gate.waitingFor).toBe("waiver");
    expect(gate.gate.blockers).toEqual([expect.objectContaining({ id: "error:systems-engineer", message: "systems-engineer: Could not run: checks: runner timed out — runner timed out", waivable: true })]);
    expectRefused(gate, { kind: "waive", actor: actors.manager, reason: "   " }, "A waiver needs a reason.");
    const waived = feed(gate, [{ kind: "waive", actor: actors.manager, reason: "re-ran by hand, green" }]);
    expect(waived.state.waitingFor).toBe("approval");
    expect(waived.decisions).toEqual([expect.objectContaining({ verdict: "waive", reason: "Rita Manager waived 1 blocker(s): re-ran by hand, green", evidence: { waived: "error:systems-engineer" } })]);
  });

  it("waives what can be waived and still blocks on the rest", () => {
    const run = feed(createRun(), [{ kind: "start" }, ...phaseFinished("pre_deploy", "not_configured")]).state;
    const gate = feed(run, [
      finished("build", "systems-engineer", "failed", {}, "build broke"),
      finished("build", "accessibility-expert", "passed", {}, ""),
    ]).state;
    expect(gate.waitingFor).toBe("waiver");
    const waived = feed(gate, [{ kind: "waive", actor: actors.manager, reason: "not set up" }]).state;
    expect(waived).toMatchObject({ phase: "approval", waitingFor: "approval" });
    expect(waived.gate.blockers.filter((b) => b.waived === null).map((b) => b.id)).toEqual(["findings:systems-engineer"]);
    expectRefused(waived, approve(actors.manager), /systems-engineer: 1 finding\(s\) at critical or above/);
  });

  it("refuses a waiver when no gate is open", () => {
    expectRefused(inRollout(), { kind: "waive", actor: actors.manager, reason: "x" }, "There is no open gate with blockers to waive.");
    expectRefused(atApprovalGate(), { kind: "waive", actor: actors.manager, reason: "x" }, "Nothing here can be waived.");
  });
});

describe("roles", () => {
  const holding = confirmStep(inRollout(), T0);
  const commands = (actor: RunCommand["actor"]): RunCommand[] => [
    { kind: "waive", actor, reason: "r" },
    { kind: "approve", actor, reason: "r" },
    { kind: "reject", actor, reason: "r" },
    { kind: "confirmWeight", actor, percent: 5 },
    { kind: "pause", actor, reason: "r" },
    { kind: "resume", actor },
    { kind: "promote", actor, reason: "r" },
    { kind: "rollback", actor, reason: "r" },
    { kind: "abort", actor, reason: "r" },
  ];

  it.each(commands(actors.viewer).map((c) => [c.kind, c] as const))("a viewer may not %s", (kind, command) => {
    const verb = kind === "confirmWeight" ? "confirm traffic weights on" : kind;
    expectRefused(holding, command, `Your role (viewer) may not ${verb} runs.`);
  });

  it.each(["approve", "reject", "waive", "promote", "resume", "abort"] as const)("on-call may not %s", (kind) => {
    const command = commands(actors.onCall).find((c) => c.kind === kind);
    if (!command) throw new Error(kind);
    expectRefused(atApprovalGate(), command, `Your role (on_call) may not ${kind} runs.`);
    expectRefused(holding, command, `Your role (on_call) may not ${kind} runs.`);
  });

  it("on-call may pause a rollout and roll it back", () => {
    const paused = feed(holding, [{ kind: "pause", actor: actors.onCall, reason: "pager fired" }]).state;
    expect(paused.status).toBe("paused");
    const rollingBack = feed(paused, [{ kind: "rollback", actor: actors.onCall, reason: "error rate 3%" }]).state;
    expect(rollingBack.status).toBe("rolling_back");
    expect(rollingBack.rollback?.requestedBy).toBe(actors.onCall.id);
  });
});
