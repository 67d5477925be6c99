import type { RunEvent } from "./events.ts";
import { startChecks } from "./agents.ts";
import { onRollbackStepFinished, startRollback } from "./rollback.ts";
import { refuse, unchanged, type Transition, type TransitionDraft } from "./transition.ts";
import { regionNext, releaseRegion, startRegion } from "./regions.ts";
import { variantEvidence } from "./flag-runs.ts";
import type { Actor, AnalysisSnapshot, RolloutStep, RunState } from "./types.ts";

/**
 * The rollout: each step shifts traffic, holds, and advances on evidence (or on the hold alone
 * where no analysis watches the run); the operator may pause, resume or promote early.
 */

function currentStep(state: RunState): RolloutStep | undefined {
  return state.steps[state.stepIndex];
}

export function enterStep(t: TransitionDraft, index: number): void {
  const step = t.state.steps[index];
  if (!step) throw new Error(`no rollout step ${index}`);
  t.state.stepIndex = index;
  t.state.stepPhase = "shifting";
  t.state.analysis = null;
  t.state.holdEndsAt = null;
  t.state.pausedRemainingMs = null;
  if (routerOf(t.state, step) === "manual") {
    // Manual router: the team's own deploy tool moves traffic; an operator confirms it.
    t.state.waitingFor = "weight_confirmation";
    const where = step.region ? ` in ${step.region}` : "";
    t.effects.push({ kind: "notify", severity: "info", message: `Set ${t.state.params.service} canary traffic${where} to ${step.percent}% (${step.label}) and confirm in Flightdeck.` });
  } else {
    t.effects.push({ kind: "setWeight", stepIndex: index, percent: step.percent, ...(step.region ? { region: step.region } : {}) });
  }
}

/** The router kind that moves this step's traffic: its region's own router, else the environment's. */
export function routerOf(state: RunState, step: RolloutStep | undefined): string {
  const region = step?.region ? state.regionPlan?.regions.find((r) => r.name === step.region) : undefined;
  return region?.router ?? state.params.router;
}

export function onWeightApplied(t: TransitionDraft, percent: number, actor: Actor | null): Transition {
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

/** The router could not be configured: stay on the current weight and ask a human. */
export function onRouterFailed(t: TransitionDraft, e: Extract<RunEvent, { kind: "routerFailed" }>): Transition {
  if (e.stepIndex !== t.state.stepIndex || t.state.phase !== "rollout") return unchanged(t.state);
  t.state.waitingFor = "weight_confirmation";
  t.decide({ trigger: "router", verdict: "hold", reason: `Traffic router failed: ${e.error}`, evidence: { error: e.error } });
  t.effects.push({ kind: "notify", severity: "critical", message: `Traffic router failed: ${e.error}. The run holds.` });
  return t.done();
}

export function onTick(t: TransitionDraft): Transition {
  const s = t.state;
  const step = currentStep(s);
  if (s.regionWait) {
    // The next region's window was due to open: look again (nextStep waits on if it has not).
    if (s.status !== "running" || s.holdEndsAt === null || s.holdEndsAt > t.now) return unchanged(s);
    nextStep(t);
    return t.done();
  }
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
  s.waitingFor = a?.verdict === "hold" || a?.verdict === "error" ? "analysis" : "evidence";
  t.decide({
    trigger: "analysis",
    verdict: "insufficient",
    reason: a
      ? `${step.label}: hold elapsed but ${a.verdict === "hold" || a.verdict === "error" ? "the analysis asks for a human" : `no evidence of health yet — ${a.requestsNeeded < 0 ? "it cannot be shown at the canary's current rate" : `${a.requestsNeeded} more canary requests needed`}`}: ${a.summary}`
      : `${step.label}: hold elapsed but no canary analysis has run yet (no traffic observed)`,
    evidence: { percent: step.percent, requestsNeeded: a?.requestsNeeded ?? null, verdict: a?.verdict ?? null },
  });
  return t.done();
}

function advanceOnEvidence(t: TransitionDraft, step: RolloutStep, a: AnalysisSnapshot): void {
  t.decide({
    trigger: "analysis",
    verdict: "advance",
    reason: `${step.label}: hold complete and the canary is healthy — ${a.summary}`,
    evidence: { percent: step.percent, heldMs: step.holdMs, automatedAnalysis: true },
  });
  nextStep(t);
}

export function onAnalysis(t: TransitionDraft, stepIndex: number, result: AnalysisSnapshot): Transition {
  const s = t.state;
  const step = currentStep(s);
  if (s.phase !== "rollout" || stepIndex !== s.stepIndex || s.stepPhase !== "holding" || !step || s.status === "rolling_back") {
    return unchanged(s);
  }
  // Between waves the last region is released; its analysis has had its say.
  if (s.regionWait) return unchanged(s);
  const previous = s.analysis?.verdict ?? null;
  s.analysis = result;
  // The trigger that decided a rollback or hold, in its own words; the step's summary otherwise.
  const trigger = result.decidedBy?.trigger ?? "analysis";
  const said = result.decidedBy?.message ?? result.summary;
  // A flag run's canary is the users on its new variant: the decision says which variants it compared.
  const why = s.params.flag ? variantEvidence(s.params.flag, said) : said;
  switch (result.verdict) {
    case "rollback":
      startRollback(t, why, null, trigger);
      return t.done();
    case "hold":
    case "error":
      // A hold asks a person to look; so does an analysis that cannot read its metrics (like
      // Argo's consecutive-error limit): it never passes and never waits silently.
      if (previous !== result.verdict) {
        s.waitingFor = "analysis";
        const what = result.verdict === "error" ? "Analysis error, holding for a human" : "Holding for a human";
        t.decide({ trigger, verdict: "hold", reason: `${what}: ${why}`, evidence: { requestsNeeded: result.requestsNeeded } });
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

export function nextStep(t: TransitionDraft): void {
  const s = t.state;
  const next = s.stepIndex + 1;
  const current = currentStep(s);
  const upcoming = s.steps[next];
  if (s.regionPlan && current?.region && upcoming?.region !== current.region && s.regionPlan.regions.some((r) => r.name === current.region && r.state === "active")) {
    s.regionPlan = releaseRegion(s.regionPlan, current.region, t.now);
    t.decide({ trigger: "region", verdict: "advance", reason: `${current.region} released: all its steps passed; it stays at 100%`, evidence: { region: current.region } });
  }
  if (upcoming) {
    if (s.regionPlan && upcoming.region && s.regionPlan.regions.some((r) => r.name === upcoming.region && r.state === "pending")) {
      // The next region starts only inside its own window, on its own clock.
      const plan = s.regionPlan;
      const what = regionNext(plan, t.now);
      if (what.kind === "wait" && what.region.name === upcoming.region) {
        const already = s.regionWait?.region === upcoming.region && s.regionWait.until === what.until;
        s.regionWait = { region: upcoming.region, until: what.until, message: what.message };
        s.stepPhase = "holding";
        s.holdEndsAt = what.until;
        s.waitingFor = null;
        if (!already) t.decide({ trigger: "region-window", verdict: "hold", reason: what.message, evidence: { region: upcoming.region, until: what.until }, region: upcoming.region });
        return;
      }
      s.regionWait = null;
      s.regionPlan = startRegion(plan, upcoming.region, t.now);
      t.decide({ trigger: "region", verdict: "advance", reason: `${upcoming.region} starts (wave ${plan.regions.find((r) => r.name === upcoming.region)?.wave ?? "?"})`, evidence: { region: upcoming.region }, region: upcoming.region });
    }
    enterStep(t, next);
    return;
  }
  t.state.stepPhase = null;
  t.state.holdEndsAt = null;
  t.state.waitingFor = null;
  startChecks(t, "post_deploy");
}

/** Pausing keeps what is left of the hold, to resume from there. */
export function onPause(t: TransitionDraft, e: Extract<RunEvent, { kind: "pause" }>): Transition {
  const s = t.state;
  if (s.status === "paused") return unchanged(s, "The run is already paused.");
  if (s.phase !== "rollout") return refuse(s, "Only a rollout can be paused.");
  s.status = "paused";
  if (s.stepPhase === "holding" && s.holdEndsAt !== null) {
    s.pausedRemainingMs = Math.max(0, s.holdEndsAt - t.now);
    s.holdEndsAt = null;
  }
  t.decide({ trigger: "operator", verdict: "pause", reason: `Paused by ${e.actor.name}${e.reason ? `: ${e.reason}` : ""}`, evidence: { remainingMs: s.pausedRemainingMs } });
  return t.done();
}

export function onResume(t: TransitionDraft, e: Extract<RunEvent, { kind: "resume" }>): Transition {
  const s = t.state;
  if (s.status !== "paused") return refuse(s, "The run is not paused.");
  s.status = "running";
  if (s.stepPhase === "holding") {
    s.holdEndsAt = t.now + (s.pausedRemainingMs ?? 0);
    s.pausedRemainingMs = null;
  }
  t.decide({ trigger: "operator", verdict: "resume", reason: `Resumed by ${e.actor.name}`, evidence: { holdEndsAt: s.holdEndsAt } });
  return t.done();
}

/** Promoting ends the hold early, on a person's word and reason (audited as such). */
export function onPromote(t: TransitionDraft, e: Extract<RunEvent, { kind: "promote" }>): Transition {
  const s = t.state;
  if (s.phase !== "rollout") return refuse(s, "Only a rollout step can be promoted.");
  if (s.stepPhase !== "holding") return refuse(s, "The current step's traffic weight is not applied yet; confirm it first.");
  const holdLeftMs = s.holdEndsAt !== null ? Math.max(0, s.holdEndsAt - t.now) : s.pausedRemainingMs;
  s.status = "running";
  s.pausedRemainingMs = null;
  t.decide({ trigger: "operator", verdict: "promote", reason: `Promoted early by ${e.actor.name}: ${e.reason}`, evidence: { holdLeftMs } });
  nextStep(t);
  return t.done();
}
