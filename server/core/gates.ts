import type { RunEvent } from "./events.ts";
import { findAgent, startChecks } from "./agents.ts";
import { blockersFor, judgeAgent } from "./judge.ts";
import { startRollback } from "./rollback.ts";
import { nextStep } from "./rollout.ts";
import { finish, refuse, unchanged, type Transition, type TransitionDraft } from "./transition.ts";
import type { Actor, GateState } from "./types.ts";
import { approveRefusal } from "./command-states.ts";
import { flagChange } from "./flag-runs.ts";

/**
 * The gates: agents' verdicts (judged by policy) open the approval gate after the build checks
 * and the verification gate after the post-deploy checks; waivers, approvals and rejections
 * clear or close them.
 */

export function onAgentFinished(t: TransitionDraft, e: Extract<RunEvent, { kind: "agentFinished" }>): Transition {
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

function openGate(t: TransitionDraft, kind: GateState["kind"]): void {
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

function maybePassGate(t: TransitionDraft, kind: GateState["kind"]): void {
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
    const what = p.flag ? `${flagChange(p.flag)} is rolling out to ${p.environment} users (${p.strategy})` : `${p.targetVersion} is rolling out to ${p.environment} (${p.strategy}, from ${p.baselineVersion})`;
    t.effects.push({ kind: "notify", severity: "info", message: `${p.service} ${what}; follow it live in Flightdeck.` });
    // nextStep from step -1: step 0, or, for a region-by-region run, its first region's window first.
    nextStep(t);
  } else {
    t.decide({ trigger: "verification", verdict: "advance", reason: "Post-deploy verification passed or waived", evidence: {} });
    t.state.phase = "record";
    t.effects.push({ kind: "writeRecord" });
  }
}

export function onWaive(t: TransitionDraft, actor: Actor, reason: string): Transition {
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

export function onApprove(t: TransitionDraft, actor: Actor, reason: string): Transition {
  const gate = t.state.gate;
  if (t.state.phase !== "approval" || gate.status !== "open") return refuse(t.state, "There is no open approval gate.");
  const refusal = approveRefusal(t.state, actor.id);
  if (refusal !== null) {
    return gate.approvals.some((a) => a.userId === actor.id) ? unchanged(t.state, refusal) : refuse(t.state, refusal);
  }
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

export function onReject(t: TransitionDraft, e: Extract<RunEvent, { kind: "reject" }>): Transition {
  if (t.state.phase !== "approval" || t.state.gate.status !== "open") return refuse(t.state, "There is no open approval gate to reject.");
  t.state.gate.status = "rejected";
  t.state.gate.rejected = { by: e.actor.name, reason: e.reason, at: t.now };
  t.decide({ trigger: "gate", verdict: "reject", reason: `Rejected by ${e.actor.name}: ${e.reason}`, evidence: {} });
  finish(t, "failed", `Rejected at the approval gate by ${e.actor.name}: ${e.reason}`);
  // Every run that ends has its record: what was checked, who rejected it and why.
  t.effects.push({ kind: "writeRecord" });
  return t.done();
}

/** The release record is written: the run has succeeded. */
export function onRecordWritten(t: TransitionDraft): Transition {
  const s = t.state;
  if (s.phase !== "record" || s.status !== "running") return unchanged(s);
  t.decide({ trigger: "procedure", verdict: "succeed", reason: `Released ${s.params.targetVersion} to 100%`, evidence: {} });
  finish(t, "succeeded", `Released ${s.params.targetVersion}; release record written.`);
  t.effects.push({ kind: "notify", severity: "info", message: `${s.params.service} ${s.params.targetVersion} released to ${s.params.environment}.` });
  return t.done();
}
