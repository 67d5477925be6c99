import type { DecisionRecord, RunEffect, RunEvent } from "./events.ts";
import { COMMANDS, roleRefusal } from "./commands.ts";
import { can } from "./permissions.ts";
import { blockersFor, judgeAgent } from "./judge.ts";
import {
  AGENTS_BY_PHASE,
  ROLLBACK_STEPS,
  TERMINAL_STATUSES,
  type Actor,
  type AgentState,
  type AnalysisSnapshot,
  type CheckPhase,
  type GateState,
  type Policy,
  type RolloutStep,
  type RunParams,
  type RunState,
} from "./types.ts";

/** The outcome of one event: the next state, the work to do, and the verdicts to store. */
export type Transition = {
  state: RunState;
  effects: RunEffect[];
  decisions: DecisionRecord[];
  /** why the event was refused (state unchanged); shown to the person who sent it */
  rejected: string | null;
  /** a harmless no-op worth telling the sender about ("already rolling back") */
  note: string | null;
};

const ZERO_COUNTS = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

function emptyGate(kind: GateState["kind"], requiredApprovals: number): GateState {
  return { kind, status: "waiting", requiredApprovals, approvals: [], blockers: [], rejected: null };
}

/** A new run, not started yet. Steps come already scaled (strategy.ts). */
export function createRunState(params: RunParams, policy: Policy, steps: RolloutStep[], now: number): RunState {
  const agents: AgentState[] = (Object.keys(AGENTS_BY_PHASE) as CheckPhase[]).flatMap((phase) =>
    AGENTS_BY_PHASE[phase].map((agent) => ({ phase, agent, status: "pending" as const, summary: "", counts: { ...ZERO_COUNTS } })),
  );
  return {
    params,
    policy,
    status: "running",
    phase: "pre_deploy",
    waitingFor: null,
    agents,
    gate: emptyGate("approval", policy.requiredApprovals),
    verification: emptyGate("verification", 0),
    steps,
    stepIndex: -1,
    stepPhase: null,
    holdEndsAt: null,
    pausedRemainingMs: null,
    canaryPercent: 0,
    rollback: null,
    analysis: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    outcome: null,
  };
}

/** When the engine must next wake this run, if ever (the end of the current hold). */
export function nextDeadline(state: RunState): number | null {
  return state.status === "running" && state.stepPhase === "holding" ? state.holdEndsAt : null;
}

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATUSES.includes(state.status);
}

/** Builder for one transition: collects effects and decisions against a copy of the state. */
class Step {
  state: RunState;
  effects: RunEffect[] = [];
  decisions: DecisionRecord[] = [];
  note: string | null = null;
  constructor(
    prev: RunState,
    readonly now: number,
  ) {
    this.state = structuredClone(prev);
  }
  decide(d: Omit<DecisionRecord, "stepIndex"> & { stepIndex?: number | null }): void {
    this.decisions.push({ stepIndex: d.stepIndex ?? (this.state.stepIndex >= 0 ? this.state.stepIndex : null), ...d });
  }
  done(): Transition {
    return { state: this.state, effects: this.effects, decisions: this.decisions, rejected: null, note: this.note };
  }
}

function refuse(state: RunState, message: string): Transition {
  return { state, effects: [], decisions: [], rejected: message, note: null };
}

function unchanged(state: RunState, note: string | null = null): Transition {
  return { state, effects: [], decisions: [], rejected: null, note };
}

/**
 * The whole release lifecycle as a pure function: pre-deploy → build → approval gate →
 * rollout steps → post-deploy → release record → succeeded | rolled_back | failed | aborted.
 * A refused event leaves the state exactly as it was and says why.
 */
export function decide(state: RunState, event: RunEvent, now: number): Transition {
  const command = "actor" in event ? COMMANDS[event.kind] : null;
  if (command && "actor" in event && !can(event.actor.role, command.permission)) return refuse(state, roleRefusal(event.kind, event.actor));
  if (isTerminal(state) && event.kind !== "recordWritten" && event.kind !== "rollbackStepFinished") {
    if (!("actor" in event)) return unchanged(state); // late adapter results after the end are harmless
    return refuse(state, `This run has already ended (${state.status.replace("_", " ")}).`);
  }
  // A rollback only moves towards the baseline: approving, waiving or promoting would restart the
  // rollout underneath it, pausing would drop its status, and rejecting would end it half done.
  const refusedWhileRollingBack = state.status === "rolling_back" ? command?.refusedWhileRollingBack : null;
  if (refusedWhileRollingBack) return refuse(state, `A rollback is in progress; the run cannot be ${refusedWhileRollingBack} now.`);
  const t = new Step(state, now);
  switch (event.kind) {
    case "start":
      if (state.startedAt !== null) return unchanged(state, "Run already started.");
      t.state.startedAt = now;
      startChecks(t, "pre_deploy");
      return t.done();
    case "agentStarted": {
      const agent = findAgent(t.state, event.phase, event.agent);
      if (agent?.status === "pending") agent.status = "running";
      return t.done();
    }
    case "agentFinished":
      return onAgentFinished(t, event);
    case "waive":
      return onWaive(t, event.actor, event.reason);
    case "approve":
      return onApprove(t, event.actor, event.reason);
    case "reject": {
      if (state.phase !== "approval" || state.gate.status !== "open") return refuse(state, "There is no open approval gate to reject.");
      t.state.gate.status = "rejected";
      t.state.gate.rejected = { by: event.actor.name, reason: event.reason, at: now };
      t.decide({ trigger: "gate", verdict: "reject", reason: `Rejected by ${event.actor.name}: ${event.reason}`, evidence: {} });
      finish(t, "failed", `Rejected at the approval gate by ${event.actor.name}: ${event.reason}`);
      return t.done();
    }
    case "confirmWeight":
      return onWeightApplied(t, event.percent, event.actor);
    case "weightApplied":
      if (event.stepIndex !== state.stepIndex) return unchanged(state);
      return onWeightApplied(t, event.percent, null);
    case "routerFailed": {
      if (event.stepIndex !== state.stepIndex || state.phase !== "rollout") return unchanged(state);
      // The router could not be configured: stay on the current weight and ask a human.
      t.state.waitingFor = "weight_confirmation";
      t.decide({ trigger: "router", verdict: "hold", reason: `Traffic router failed: ${event.error}`, evidence: { error: event.error } });
      t.effects.push({ kind: "notify", severity: "critical", message: `Traffic router failed: ${event.error}. The run holds.` });
      return t.done();
    }
    case "tick":
      return onTick(t);
    case "analysis":
      return onAnalysis(t, event.stepIndex, event.result);
    case "pause": {
      if (state.status === "paused") return unchanged(state, "The run is already paused.");
      if (state.phase !== "rollout") return refuse(state, "Only a rollout can be paused.");
      t.state.status = "paused";
      if (state.stepPhase === "holding" && state.holdEndsAt !== null) {
        t.state.pausedRemainingMs = Math.max(0, state.holdEndsAt - now);
        t.state.holdEndsAt = null;
      }
      t.decide({ trigger: "operator", verdict: "pause", reason: `Paused by ${event.actor.name}${event.reason ? `: ${event.reason}` : ""}`, evidence: { remainingMs: t.state.pausedRemainingMs } });
      return t.done();
    }
    case "resume": {
      if (state.status !== "paused") return refuse(state, "The run is not paused.");
      t.state.status = "running";
      if (state.stepPhase === "holding") {
        t.state.holdEndsAt = now + (state.pausedRemainingMs ?? 0);
        t.state.pausedRemainingMs = null;
      }
      t.decide({ trigger: "operator", verdict: "resume", reason: `Resumed by ${event.actor.name}`, evidence: { holdEndsAt: t.state.holdEndsAt } });
      return t.done();
    }
    case "promote": {
      if (state.phase !== "rollout") return refuse(state, "Only a rollout step can be promoted.");
      if (state.stepPhase !== "holding") return refuse(state, "The current step's traffic weight is not applied yet; confirm it first.");
      t.state.status = "running";
      t.state.pausedRemainingMs = null;
      t.decide({
        trigger: "operator",
        verdict: "promote",
        reason: `Promoted early by ${event.actor.name}: ${event.reason}`,
        evidence: { holdLeftMs: state.holdEndsAt !== null ? Math.max(0, state.holdEndsAt - now) : state.pausedRemainingMs },
      });
      nextStep(t);
      return t.done();
    }
    case "rollback":
      if (state.status === "rolling_back") return unchanged(state, "Already rolling back.");
      startRollback(t, event.reason, event.actor, event.trigger ?? null);
      return t.done();
    case "abort": {
      if (state.status === "rolling_back") return refuse(state, "A rollback is in progress; it cannot be aborted.");
      if (state.canaryPercent > 0 || state.phase === "rollout" || state.phase === "post_deploy") {
        return refuse(state, "Traffic has reached the new version: roll back instead of aborting.");
      }
      t.effects.push({ kind: "cancelAgents", reason: `aborted by ${event.actor.name}` });
      cancelRunningAgents(t);
      t.decide({ trigger: "operator", verdict: "abort", reason: `Aborted by ${event.actor.name}: ${event.reason}`, evidence: {} });
      finish(t, "aborted", `Aborted by ${event.actor.name}: ${event.reason}`);
      return t.done();
    }
    case "rollbackStepFinished":
      return onRollbackStepFinished(t, event.step, event.status, event.detail);
    case "recordWritten":
      if (state.phase !== "record" || state.status !== "running") return unchanged(state);
      t.decide({ trigger: "procedure", verdict: "succeed", reason: `Released ${state.params.targetVersion} to 100%`, evidence: {} });
      finish(t, "succeeded", `Released ${state.params.targetVersion}; release record written.`);
      t.effects.push({ kind: "notify", severity: "info", message: `${state.params.service} ${state.params.targetVersion} released to ${state.params.environment}.` });
      return t.done();
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
}

function findAgent(state: RunState, phase: CheckPhase, agent: string): AgentState | undefined {
  return state.agents.find((a) => a.phase === phase && a.agent === agent);
}

function startChecks(t: Step, phase: CheckPhase): void {
  t.state.phase = phase;
  t.effects.push({ kind: "runAgents", phase, agents: [...AGENTS_BY_PHASE[phase]] });
}

function cancelRunningAgents(t: Step): void {
  for (const a of t.state.agents) if (a.status === "pending" && a.phase === t.state.phase) a.status = "cancelled";
  for (const a of t.state.agents) if (a.status === "running") a.status = "cancelled";
}

function finish(t: Step, status: RunState["status"], outcome: string): void {
  t.state.status = status;
  t.state.phase = "done";
  t.state.waitingFor = null;
  t.state.holdEndsAt = null;
  t.state.pausedRemainingMs = null;
  t.state.finishedAt = t.now;
  t.state.outcome = outcome;
}

function onAgentFinished(t: Step, e: Extract<RunEvent, { kind: "agentFinished" }>): Transition {
  const agent = findAgent(t.state, e.phase, e.agent);
  if (!agent || t.state.phase !== e.phase || t.state.status === "rolling_back") return unchanged(t.state);
  if (agent.status !== "pending" && agent.status !== "running") return unchanged(t.state); // duplicate result
  const verdict = judgeAgent(e.report, t.state.policy);
  agent.status = verdict.status;
  agent.summary = verdict.summary;
  agent.counts = { ...e.report.counts };
  agent.checks = e.report.checks.map((c) => ({ ...c }));
  const inPhase = t.state.agents.filter((a) => a.phase === e.phase);
  if (inPhase.some((a) => a.status === "pending" || a.status === "running")) return t.done();

  if (e.phase === "pre_deploy") {
    startChecks(t, "build");
  } else if (e.phase === "build") {
    openGate(t, "approval");
  } else {
    const broken = inPhase.filter((a) => a.status === "failed" || blockersFor([a], t.state.policy).some((b) => !b.waivable));
    if (broken.length > 0) {
      startRollback(t, `Post-deploy verification failed: ${broken.map((a) => `${a.agent} (${a.summary})`).join("; ")}`, null, "post-deploy-verification");
    } else {
      openGate(t, "verification");
    }
  }
  return t.done();
}

function openGate(t: Step, kind: GateState["kind"]): void {
  const gate = kind === "approval" ? t.state.gate : t.state.verification;
  const checked = t.state.agents.filter((a) => (kind === "approval" ? a.phase !== "post_deploy" : a.phase === "post_deploy"));
  t.state.phase = kind === "approval" ? "approval" : "post_deploy";
  gate.status = "open";
  gate.blockers = blockersFor(checked, t.state.policy);
  if (gate.blockers.length > 0) {
    t.decide({
      trigger: "policy",
      verdict: "block",
      reason: `${kind === "approval" ? "Approval gate" : "Verification"} blocked: ${gate.blockers.map((b) => b.message).join("; ")}`,
      evidence: { blockers: gate.blockers.length, policyVersion: t.state.policy.version },
    });
  }
  maybePassGate(t, kind);
}

function maybePassGate(t: Step, kind: GateState["kind"]): void {
  const gate = kind === "approval" ? t.state.gate : t.state.verification;
  const open = gate.blockers.filter((b) => b.waived === null);
  if (open.length > 0) {
    t.state.waitingFor = open.some((b) => b.waivable) ? "waiver" : "approval";
    return;
  }
  if (gate.approvals.length < gate.requiredApprovals) {
    t.state.waitingFor = "approval";
    return;
  }
  gate.status = "approved";
  t.state.waitingFor = null;
  if (kind === "approval") {
    t.decide({
      trigger: "gate",
      verdict: "advance",
      reason: gate.requiredApprovals === 0 ? "No approver required by policy; no blockers" : `Approved by ${gate.approvals.map((a) => a.name).join(", ")}`,
      evidence: { approvals: gate.approvals.length, required: gate.requiredApprovals },
    });
    t.state.phase = "rollout";
    const p = t.state.params;
    // The team hears that traffic is about to move before it does (a success criterion).
    t.effects.push({ kind: "notify", severity: "info", message: `${p.service} ${p.targetVersion} is rolling out to ${p.environment} (${p.strategy}, from ${p.baselineVersion}); follow it live in Flightdeck.` });
    enterStep(t, 0);
  } else {
    t.decide({ trigger: "verification", verdict: "advance", reason: "Post-deploy verification passed or waived", evidence: {} });
    t.state.phase = "record";
    t.effects.push({ kind: "writeRecord" });
  }
}

function onWaive(t: Step, actor: Actor, reason: string): Transition {
  const kind = t.state.phase === "approval" ? "approval" : t.state.phase === "post_deploy" ? "verification" : null;
  const gate = kind === "approval" ? t.state.gate : kind === "verification" ? t.state.verification : null;
  if (!kind || !gate || gate.status !== "open") return refuse(t.state, "There is no open gate with blockers to waive.");
  const waivable = gate.blockers.filter((b) => b.waivable && b.waived === null);
  if (waivable.length === 0) return refuse(t.state, "Nothing here can be waived.");
  if (reason.trim().length === 0) return refuse(t.state, "A waiver needs a reason.");
  for (const b of waivable) b.waived = { by: actor.name, reason, at: t.now };
  t.decide({
    trigger: "operator",
    verdict: "waive",
    reason: `${actor.name} waived ${waivable.length} blocker(s): ${reason}`,
    evidence: { waived: waivable.map((b) => b.id).join(", ") },
  });
  maybePassGate(t, kind);
  return t.done();
}

function onApprove(t: Step, actor: Actor, reason: string): Transition {
  const gate = t.state.gate;
  if (t.state.phase !== "approval" || gate.status !== "open") return refuse(t.state, "There is no open approval gate.");
  const hard = gate.blockers.filter((b) => !b.waivable && b.waived === null);
  if (hard.length > 0) return refuse(t.state, `Policy blocks this gate: ${hard.map((b) => b.message).join("; ")}. Reject the run instead.`);
  if (t.state.policy.separationOfDuties && actor.id === t.state.params.createdBy) {
    return refuse(t.state, "Separation of duties (SOX): the person who created the run cannot approve it.");
  }
  if (gate.approvals.some((a) => a.userId === actor.id)) return unchanged(t.state, "You have already approved this gate.");
  if (gate.approvals.length >= gate.requiredApprovals && gate.requiredApprovals > 0) return unchanged(t.state, "The gate already has its approvals.");
  gate.approvals.push({ userId: actor.id, name: actor.name, at: t.now });
  t.decide({
    trigger: "gate",
    verdict: "approve",
    reason: `Approved by ${actor.name}${reason ? `: ${reason}` : ""} (${gate.approvals.length} of ${gate.requiredApprovals})`,
    evidence: { approvals: gate.approvals.length, required: gate.requiredApprovals },
  });
  maybePassGate(t, "approval");
  return t.done();
}

function currentStep(state: RunState): RolloutStep | undefined {
  return state.steps[state.stepIndex];
}

function enterStep(t: Step, index: number): void {
  const step = t.state.steps[index];
  if (!step) throw new Error(`no rollout step ${index}`);
  t.state.stepIndex = index;
  t.state.stepPhase = "shifting";
  t.state.analysis = null;
  t.state.holdEndsAt = null;
  t.state.pausedRemainingMs = null;
  if (t.state.params.router === "manual") {
    // Manual router: the team's own deploy tool moves traffic; an operator confirms it.
    t.state.waitingFor = "weight_confirmation";
    t.effects.push({ kind: "notify", severity: "info", message: `Set ${t.state.params.service} canary traffic to ${step.percent}% (${step.label}) and confirm in Flightdeck.` });
  } else {
    t.effects.push({ kind: "setWeight", stepIndex: index, percent: step.percent });
  }
}

function onWeightApplied(t: Step, percent: number, actor: Actor | null): Transition {
  const s = t.state;
  if (s.status === "rolling_back") {
    const revert = s.rollback?.steps.find((r) => r.kind === "revert_traffic");
    if (!revert || revert.status !== "running") return unchanged(s, "Traffic is already back on the baseline.");
    if (percent !== 0) return refuse(s, "During a rollback the canary weight must go to 0%.");
    return onRollbackStepFinished(t, "revert_traffic", "done", actor ? `Confirmed at 0% by ${actor.name}` : "Router set canary weight to 0%");
  }
  const step = currentStep(s);
  if (s.phase !== "rollout" || s.stepPhase !== "shifting" || !step) return refuse(s, "No traffic change is waiting for confirmation.");
  if (percent !== step.percent) return refuse(s, `This step asks for ${step.percent}% on the canary, not ${percent}%.`);
  s.canaryPercent = step.percent;
  s.stepPhase = "holding";
  s.waitingFor = null;
  if (s.status === "paused") s.pausedRemainingMs = step.holdMs;
  else s.holdEndsAt = t.now + step.holdMs;
  t.decide({
    trigger: actor ? "operator" : "router",
    verdict: "hold",
    reason: `${step.label}: weight ${step.percent}% ${actor ? `confirmed by ${actor.name}` : "applied and verified"}; holding ${Math.round(step.holdMs / 1000)} s`,
    evidence: { percent: step.percent, holdMs: step.holdMs },
  });
  return t.done();
}

function onTick(t: Step): Transition {
  const s = t.state;
  const step = currentStep(s);
  if (s.status !== "running" || s.stepPhase !== "holding" || s.holdEndsAt === null || s.holdEndsAt > t.now || !step) {
    return unchanged(s);
  }
  if (!s.params.analysis) {
    t.decide({
      trigger: "hold-elapsed",
      verdict: "advance",
      // Honest about what watched the step: no metric source is wired for this router.
      reason: `${step.label} held ${Math.round(step.holdMs / 1000)} s without a rollback; no automated analysis configured for the ${s.params.router} router`,
      evidence: { percent: step.percent, heldMs: step.holdMs, automatedAnalysis: false },
    });
    nextStep(t);
    return t.done();
  }
  const a = s.analysis;
  if (a && a.verdict === "pass") {
    advanceOnEvidence(t, step, a);
    return t.done();
  }
  // No data never counts as healthy: the hold is over but the step waits for evidence.
  s.holdEndsAt = null;
  s.waitingFor = a?.verdict === "hold" ? "analysis" : "evidence";
  t.decide({
    trigger: "analysis",
    verdict: "insufficient",
    reason: a
      ? `${step.label}: hold elapsed but ${a.verdict === "hold" ? "the analysis asks for a human" : `insufficient evidence — ${a.requestsNeeded} more canary requests needed`}: ${a.summary}`
      : `${step.label}: hold elapsed but no canary analysis has run yet (no traffic observed)`,
    evidence: { percent: step.percent, requestsNeeded: a?.requestsNeeded ?? null, verdict: a?.verdict ?? null },
  });
  return t.done();
}

function advanceOnEvidence(t: Step, step: RolloutStep, a: AnalysisSnapshot): void {
  t.decide({
    trigger: "analysis",
    verdict: "advance",
    reason: `${step.label}: hold complete and the canary is healthy — ${a.summary}`,
    evidence: { percent: step.percent, heldMs: step.holdMs, automatedAnalysis: true },
  });
  nextStep(t);
}

function onAnalysis(t: Step, stepIndex: number, result: AnalysisSnapshot): Transition {
  const s = t.state;
  const step = currentStep(s);
  if (s.phase !== "rollout" || stepIndex !== s.stepIndex || s.stepPhase !== "holding" || !step || s.status === "rolling_back") {
    return unchanged(s);
  }
  const previous = s.analysis?.verdict ?? null;
  s.analysis = result;
  // The trigger that decided a rollback or hold, in its own words; the step's summary otherwise.
  const trigger = result.decidedBy?.trigger ?? "analysis";
  const why = result.decidedBy?.message ?? result.summary;
  switch (result.verdict) {
    case "rollback":
      startRollback(t, why, null, trigger);
      return t.done();
    case "hold":
      if (previous !== "hold") {
        s.waitingFor = "analysis";
        t.decide({ trigger, verdict: "hold", reason: `Holding for a human: ${why}`, evidence: { requestsNeeded: result.requestsNeeded } });
        t.effects.push({ kind: "notify", severity: "warning", message: `${s.params.service} canary needs a human: ${why}` });
      }
      return t.done();
    case "pass":
      // The hold had ended while evidence was short: now there is enough, so go on.
      if (s.waitingFor === "evidence" && s.status === "running") advanceOnEvidence(t, step, result);
      return t.done();
    case "insufficient":
      return t.done();
    default: {
      const never: never = result.verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

function nextStep(t: Step): void {
  const next = t.state.stepIndex + 1;
  if (next < t.state.steps.length) {
    enterStep(t, next);
    return;
  }
  t.state.stepPhase = null;
  t.state.holdEndsAt = null;
  t.state.waitingFor = null;
  startChecks(t, "post_deploy");
}

function startRollback(t: Step, reason: string, actor: Actor | null, trigger: string | null): void {
  const s = t.state;
  if (s.agents.some((a) => a.status === "running" || (a.status === "pending" && a.phase === s.phase))) {
    t.effects.push({ kind: "cancelAgents", reason: "rolling back" });
    cancelRunningAgents(t);
  }
  s.status = "rolling_back";
  s.waitingFor = null;
  s.holdEndsAt = null;
  s.pausedRemainingMs = null;
  s.rollback = {
    reason,
    requestedBy: actor?.id ?? "engine",
    trigger,
    startedAt: t.now,
    steps: ROLLBACK_STEPS.map((kind) => ({ kind, status: "pending", detail: "" })),
  };
  t.decide({
    trigger: trigger ?? "operator",
    verdict: "rollback",
    reason: actor ? `Rollback by ${actor.name}: ${reason}` : `Automatic rollback: ${reason}`,
    evidence: { canaryPercent: s.canaryPercent, step: s.stepIndex },
  });
  t.effects.push({ kind: "notify", severity: "critical", message: `Rolling back ${s.params.service} ${s.params.targetVersion}: ${reason}` });
  runNextRollbackStep(t);
}

function runNextRollbackStep(t: Step): void {
  const s = t.state;
  const rb = s.rollback;
  if (!rb) return;
  const next = rb.steps.find((r) => r.status === "pending");
  if (!next) {
    const reverted = rb.steps.find((r) => r.kind === "revert_traffic")?.status !== "failed";
    finish(t, reverted ? "rolled_back" : "failed", reverted ? `Rolled back: ${rb.reason}` : `Rollback could not revert traffic: ${rb.reason}`);
    return;
  }
  if (next.kind === "revert_traffic" && s.canaryPercent === 0 && s.stepPhase !== "shifting") {
    next.status = "skipped";
    next.detail = "No traffic had reached the canary.";
    runNextRollbackStep(t);
    return;
  }
  next.status = "running";
  if (next.kind === "revert_traffic" && s.params.router === "manual") {
    s.waitingFor = "weight_confirmation";
    t.effects.push({ kind: "notify", severity: "critical", message: `Set ${s.params.service} canary traffic to 0% now and confirm in Flightdeck.` });
    return;
  }
  t.effects.push({ kind: "rollbackStep", step: next.kind, percent: 0 });
}

function onRollbackStepFinished(t: Step, kind: string, status: "done" | "failed" | "skipped", detail: string): Transition {
  const rb = t.state.rollback;
  const step = rb?.steps.find((r) => r.kind === kind);
  if (!rb || !step || step.status !== "running") return unchanged(t.state);
  step.status = status;
  step.detail = detail;
  if (kind === "revert_traffic") {
    t.state.waitingFor = null;
    if (status === "done") t.state.canaryPercent = 0;
    else t.effects.push({ kind: "notify", severity: "critical", message: `Could not revert traffic: ${detail}` });
  }
  runNextRollbackStep(t);
  return t.done();
}
