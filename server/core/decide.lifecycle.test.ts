import { describe, expect, it } from "vitest";
import { decide, nextDeadline } from "./decide.ts";
import { HOUR, MINUTE, T0, actors, atApprovalGate, confirmStep, createRun, expectRefused, feed, inRollout, finished, phaseFinished, reportFor, throughRollout } from "./testing.ts";

describe("a production canary through the manual router, start to finish", () => {
  it("runs every phase, waits on people where the procedure says, and ends succeeded", () => {
    const created = createRun();
    expect(created).toMatchObject({ status: "running", phase: "pre_deploy", startedAt: null, stepIndex: -1, canaryPercent: 0 });

    // Pre-deploy checks start with the run.
    const started = feed(created, [{ kind: "start" }], T0 + 1);
    expect(started.state.startedAt).toBe(T0 + 1);
    expect(started.effects).toEqual([{ kind: "runAgents", phase: "pre_deploy", agents: ["qa-test-engineer", "security-audit-specialist", "devops-engineer"] }]);

    // Nothing is configured before deploy; once all three report, the build checks start.
    const [qa, security, devops] = phaseFinished("pre_deploy", "not_configured");
    if (!qa || !security || !devops) throw new Error("three pre-deploy agents expected");
    const partly = feed(started.state, [qa, security]);
    expect(partly.state.phase).toBe("pre_deploy");
    expect(partly.effects).toEqual([]);
    const preDeployed = feed(partly.state, [devops]);
    expect(preDeployed.state.phase).toBe("build");
    expect(preDeployed.effects).toEqual([{ kind: "runAgents", phase: "build", agents: ["systems-engineer", "accessibility-expert"] }]);

    // The gate opens blocked by the three unconfigured checks: production does not accept them silently.
    const gated = feed(preDeployed.state, phaseFinished("build", "passed"), T0 + 2 * MINUTE);
    expect(gated.state).toMatchObject({ phase: "approval", waitingFor: "waiver" });
    expect(gated.state.gate.status).toBe("open");
    expect(gated.state.gate.blockers.map((b) => [b.id, b.waivable])).toEqual([
      ["not_configured:qa-test-engineer", true],
      ["not_configured:security-audit-specialist", true],
      ["not_configured:devops-engineer", true],
    ]);
    expect(gated.decisions).toEqual([expect.objectContaining({ trigger: "policy", verdict: "block", reason: expect.stringContaining("qa-test-engineer has no checks configured") })]);

    // Approving counts, but the gate still waits for the waiver.
    const approved = feed(gated.state, [{ kind: "approve", actor: actors.manager, reason: "diff reviewed" }]);
    expect(approved.state.gate.approvals).toEqual([{ userId: actors.manager.id, name: actors.manager.name, at: T0 }]);
    expect(approved.state).toMatchObject({ phase: "approval", waitingFor: "waiver" });
    expect(approved.decisions).toEqual([expect.objectContaining({ verdict: "approve", reason: "Approved by Rita Manager: diff reviewed (1 of 1)" })]);

    // The waiver is audited with who, why and when, and the gate passes into step 0.
    const waived = feed(approved.state, [{ kind: "waive", actor: actors.manager, reason: "checks not set up for this service yet" }], T0 + 5 * MINUTE);
    expect(waived.state.gate.blockers.every((b) => b.waived?.by === "Rita Manager" && b.waived.reason === "checks not set up for this service yet" && b.waived.at === T0 + 5 * MINUTE)).toBe(true);
    expect(waived.state.gate.status).toBe("approved");
    expect(waived.state).toMatchObject({ phase: "rollout", stepIndex: 0, stepPhase: "shifting", waitingFor: "weight_confirmation", holdEndsAt: null });
    expect(waived.decisions.map((d) => d.verdict)).toEqual(["waive", "advance"]);
    expect(waived.effects).toEqual([
      expect.objectContaining({ kind: "notify", severity: "info", message: expect.stringMatching(/is rolling out to production \(canary, from /) }),
      expect.objectContaining({ kind: "notify", message: expect.stringContaining("5% (Canary 5%)") }),
    ]);

    // Step 0: the operator confirms 5%; the 30-minute hold starts from the confirmation.
    const at5 = T0 + 10 * MINUTE;
    const holding = feed(waived.state, [{ kind: "confirmWeight", actor: actors.manager, percent: 5 }], at5);
    expect(holding.state).toMatchObject({ stepPhase: "holding", waitingFor: null, canaryPercent: 5, holdEndsAt: at5 + 30 * MINUTE });
    expect(nextDeadline(holding.state)).toBe(at5 + 30 * MINUTE);

    // A tick before the deadline changes nothing; at the deadline the run moves to 50%.
    const early = decide(holding.state, { kind: "tick" }, at5 + 30 * MINUTE - 1);
    expect(early.state).toEqual(holding.state);
    expect(early.effects).toEqual([]);
    const to50 = feed(holding.state, [{ kind: "tick" }], at5 + 30 * MINUTE);
    expect(to50.state).toMatchObject({ stepIndex: 1, stepPhase: "shifting", waitingFor: "weight_confirmation", canaryPercent: 5 });
    expect(to50.decisions).toEqual([expect.objectContaining({ trigger: "hold-elapsed", verdict: "advance", stepIndex: 0, evidence: { percent: 5, heldMs: 30 * MINUTE, automatedAnalysis: false } })]);

    // 50% holds two hours, 100% ten minutes, then post-deploy checks run.
    const at50 = at5 + 31 * MINUTE;
    const holding50 = feed(to50.state, [{ kind: "confirmWeight", actor: actors.manager, percent: 50 }], at50);
    expect(holding50.state.holdEndsAt).toBe(at50 + 2 * HOUR);
    const to100 = feed(holding50.state, [{ kind: "tick" }], at50 + 2 * HOUR);
    expect(to100.state).toMatchObject({ stepIndex: 2, waitingFor: "weight_confirmation" });
    const at100 = at50 + 2 * HOUR + MINUTE;
    const holding100 = feed(to100.state, [{ kind: "confirmWeight", actor: actors.manager, percent: 100 }], at100);
    expect(holding100.state).toMatchObject({ canaryPercent: 100, holdEndsAt: at100 + 10 * MINUTE });
    const postDeploy = feed(holding100.state, [{ kind: "tick" }], at100 + 10 * MINUTE);
    expect(postDeploy.state).toMatchObject({ phase: "post_deploy", stepPhase: null, holdEndsAt: null, waitingFor: null });
    expect(postDeploy.effects).toEqual([{ kind: "runAgents", phase: "post_deploy", agents: ["post-deploy-health"] }]);

    // Verification in production is blocked by the unconfigured health check until waived.
    const verifying = feed(postDeploy.state, phaseFinished("post_deploy", "not_configured"));
    expect(verifying.state).toMatchObject({ phase: "post_deploy", waitingFor: "waiver" });
    expect(verifying.state.verification.blockers.map((b) => b.id)).toEqual(["not_configured:post-deploy-health"]);
    expect(verifying.decisions).toEqual([expect.objectContaining({ verdict: "block", reason: expect.stringMatching(/^Verification blocked/) })]);
    const recording = feed(verifying.state, [{ kind: "waive", actor: actors.manager, reason: "dashboards checked by hand" }]);
    expect(recording.state).toMatchObject({ phase: "record", waitingFor: null });
    expect(recording.state.verification.status).toBe("approved");
    expect(recording.effects).toEqual([{ kind: "writeRecord" }]);

    // The release record is written: the run has succeeded.
    const end = T0 + 5 * HOUR;
    const done = feed(recording.state, [{ kind: "recordWritten" }], end);
    expect(done.state).toMatchObject({ status: "succeeded", phase: "done", finishedAt: end, waitingFor: null, outcome: "Released v1.5.0; release record written." });
    expect(done.effects).toEqual([{ kind: "notify", severity: "info", message: "checkout v1.5.0 released to production." }]);
    expect(done.decisions).toEqual([expect.objectContaining({ verdict: "succeed" })]);
  });
});

describe("staging at low risk", () => {
  it("reports unconfigured checks without blocking and needs no approver, so the gate goes straight to rollout", () => {
    const run = atApprovalGate({ environment: "staging", risk: "low" }, { preDeploy: "not_configured", build: "not_configured" });
    expect(run.gate).toMatchObject({ status: "approved", requiredApprovals: 0, blockers: [], approvals: [] });
    expect(run).toMatchObject({ phase: "rollout", stepIndex: 0, stepPhase: "shifting", waitingFor: "weight_confirmation" });
  });

  it("holds 1/60 of production's time", () => {
    const run = confirmStep(inRollout({ environment: "staging", risk: "low" }), T0);
    expect(run.holdEndsAt).toBe(T0 + 30 * 1_000);
  });

  it("passes verification without a waiver when the health check is not configured", () => {
    const post = throughRollout(inRollout({ environment: "staging", risk: "low" }));
    const verified = feed(post, phaseFinished("post_deploy", "not_configured"));
    expect(verified.state.phase).toBe("record");
    expect(verified.effects).toEqual([{ kind: "writeRecord" }]);
  });
});

describe("start", () => {
  it("starting twice is a harmless no-op that says so", () => {
    const started = feed(createRun(), [{ kind: "start" }], T0).state;
    const again = decide(started, { kind: "start" }, T0 + MINUTE);
    expect(again).toMatchObject({ rejected: null, note: "Run already started.", effects: [] });
    expect(again.state).toEqual(started);
  });

  it("marks an agent running when it starts and ignores a duplicate result", () => {
    const started = feed(createRun(), [{ kind: "start" }, { kind: "agentStarted", phase: "pre_deploy", agent: "qa-test-engineer" }]).state;
    expect(started.agents.find((a) => a.agent === "qa-test-engineer")?.status).toBe("running");
    const [qa] = phaseFinished("pre_deploy", "passed");
    if (!qa) throw new Error("qa agent expected");
    const once = feed(started, [qa]).state;
    const twice = decide(once, { ...qa, report: reportFor("failed") }, T0);
    expect(twice.state).toEqual(once);
  });

  it("ignores results for a phase the run is not in", () => {
    const started = feed(createRun(), [{ kind: "start" }]).state;
    const early = decide(started, finished("build", "systems-engineer", "failed", {}, ""), T0);
    expect(early.state).toEqual(started);
  });
});

describe("after the run has ended", () => {
  const aborted = feed(atApprovalGate(), [{ kind: "abort", actor: actors.manager, reason: "wrong build" }]).state;

  it.each([
    { kind: "approve", actor: actors.manager, reason: "" },
    { kind: "rollback", actor: actors.manager, reason: "just in case" },
    { kind: "pause", actor: actors.manager, reason: "" },
    { kind: "abort", actor: actors.admin, reason: "again" },
  ] as const)("refuses $kind with a clear message", (event) => {
    expectRefused(aborted, event, "This run has already ended (aborted).");
  });

  it("names the ending in words", () => {
    const failed = feed(atApprovalGate(), [{ kind: "reject", actor: actors.manager, reason: "no" }]).state;
    expectRefused(failed, { kind: "waive", actor: actors.manager, reason: "x" }, "This run has already ended (failed).");
  });

  it.each([
    { kind: "tick" },
    { kind: "start" },
    { kind: "recordWritten" },
    { kind: "weightApplied", stepIndex: 0, percent: 5 },
    { kind: "routerFailed", stepIndex: 0, error: "timeout" },
    { kind: "rollbackStepFinished", step: "notify", status: "done", detail: "" },
    ...phaseFinished("build", "failed"),
  ] as const)("ignores a late $kind from an adapter without refusing it", (event) => {
    const t = decide(aborted, event, T0 + HOUR);
    expect(t).toMatchObject({ rejected: null, effects: [], decisions: [] });
    expect(t.state).toEqual(aborted);
  });
});

describe("nextDeadline", () => {
  it("is the end of the hold only while running and holding", () => {
    const shifting = inRollout();
    expect(nextDeadline(createRun())).toBeNull();
    expect(nextDeadline(shifting)).toBeNull();
    const holding = confirmStep(shifting, T0);
    expect(nextDeadline(holding)).toBe(T0 + 30 * MINUTE);
    const paused = feed(holding, [{ kind: "pause", actor: actors.onCall, reason: "incident elsewhere" }]).state;
    expect(nextDeadline(paused)).toBeNull();
    const rollingBack = feed(holding, [{ kind: "rollback", actor: actors.onCall, reason: "errors" }]).state;
    expect(nextDeadline(rollingBack)).toBeNull();
  });
});
