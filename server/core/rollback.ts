import type { RunEvent } from "./events.ts";
import { cancelRunningAgents } from "./agents.ts";
import { finish, refuse, unchanged, type Transition, type TransitionDraft } from "./transition.ts";
import { failRegion } from "./regions.ts";
import { ROLLBACK_STEPS, type Actor } from "./types.ts";

/** Rolling back: the procedure's rollback steps one after the other, and aborting before traffic moved. */

export function startRollback(t: TransitionDraft, reason: string, actor: Actor | null, trigger: string | null): void {
  const s = t.state;
  if (s.agents.some((a) => a.status === "running" || (a.status === "pending" && a.phase === s.phase))) {
    t.effects.push({ kind: "cancelAgents", reason: "rolling back" });
    cancelRunningAgents(t);
  }
  const regionsBack = failRegions(t, reason);
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
    evidence: { canaryPercent: s.canaryPercent, step: s.stepIndex, ...(regionsBack ? { regions: regionsBack.join(", ") } : {}) },
  });
  t.effects.push({ kind: "notify", severity: "critical", message: `Rolling back ${s.params.service} ${s.params.targetVersion}: ${reason}` });
  runNextRollbackStep(t);
}

function runNextRollbackStep(t: TransitionDraft): void {
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
  const manual = s.regionPlan ? (rolledBackRegions(s) ?? []).every((name) => (s.regionPlan?.regions.find((r) => r.name === name)?.router ?? s.params.router) === "manual") : s.params.router === "manual";
  if (next.kind === "revert_traffic" && manual) {
    s.waitingFor = "weight_confirmation";
    t.effects.push({ kind: "notify", severity: "critical", message: `Set ${s.params.service} canary traffic to 0% now and confirm in Flightdeck.` });
    return;
  }
  const regions = next.kind === "revert_traffic" ? rolledBackRegions(s) : null;
  t.effects.push({ kind: "rollbackStep", step: next.kind, percent: 0, ...(regions ? { regions } : {}) });
}

/**
 * A region-by-region run rolls back its current region and stops the waves; the regions already
 * released go back too when the policy says so, or when no region is under way (a person rolls
 * the whole run back between waves). Returns the regions whose routers go to 0%, or null.
 */
function failRegions(t: TransitionDraft, reason: string): string[] | null {
  const s = t.state;
  const plan = s.regionPlan;
  if (!plan) return null;
  s.regionWait = null;
  const active = plan.regions.find((r) => r.state === "active");
  if (active) {
    const failed = failRegion(plan, active.name, reason, t.now);
    s.regionPlan = failed.plan;
    return failed.rollBack;
  }
  const released = plan.regions.filter((r) => r.state === "released").map((r) => r.name).reverse();
  s.regionPlan = {
    ...plan,
    regions: plan.regions.map((r) =>
      r.state === "released" ? { ...r, state: "rolledBack", endedAt: t.now, reason: `rolled back: ${reason}` } : r.state === "pending" ? { ...r, state: "skipped", endedAt: t.now, reason: "not started: the run was rolled back" } : r,
    ),
  };
  return released;
}

/** The regions a rollback reverts: failed and rolled back ones, newest wave first. */
function rolledBackRegions(s: TransitionDraft["state"]): string[] | null {
  if (!s.regionPlan) return null;
  return s.regionPlan.regions.filter((r) => r.state === "failed" || r.state === "rolledBack").map((r) => r.name).reverse();
}

export function onRollbackStepFinished(t: TransitionDraft, kind: string, status: "done" | "failed" | "skipped", detail: string): Transition {
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

/** A person asks for a rollback (a second request while one runs is a no-op, not an error). */
export function onRollback(t: TransitionDraft, e: Extract<RunEvent, { kind: "rollback" }>): Transition {
  if (t.state.status === "rolling_back") return unchanged(t.state, "Already rolling back.");
  startRollback(t, e.reason, e.actor, e.trigger ?? null);
  return t.done();
}

/** Aborting is for runs no traffic has reached; after that only a rollback brings the baseline back. */
export function onAbort(t: TransitionDraft, e: Extract<RunEvent, { kind: "abort" }>): Transition {
  const state = t.state;
  if (state.status === "rolling_back") return refuse(state, "A rollback is in progress; it cannot be aborted.");
  if (state.canaryPercent > 0 || state.phase === "rollout" || state.phase === "post_deploy") {
    return refuse(state, "Traffic has reached the new version: roll back instead of aborting.");
  }
  t.effects.push({ kind: "cancelAgents", reason: `aborted by ${e.actor.name}` });
  cancelRunningAgents(t);
  t.decide({ trigger: "operator", verdict: "abort", reason: `Aborted by ${e.actor.name}: ${e.reason}`, evidence: {} });
  finish(t, "aborted", `Aborted by ${e.actor.name}: ${e.reason}`);
  // Every run that ends has its record: what was checked before it was stopped, by whom and why.
  t.effects.push({ kind: "writeRecord" });
  return t.done();
}
