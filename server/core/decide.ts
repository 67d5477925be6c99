import { onAgentStarted, onStart } from "./agents.ts";
import { COMMANDS, roleRefusal } from "./commands.ts";
import type { RunEvent } from "./events.ts";
import { onAgentFinished, onApprove, onRecordWritten, onReject, onWaive } from "./gates.ts";
import { can } from "./permissions.ts";
import { onAbort, onRollback, onRollbackStepFinished } from "./rollback.ts";
import { onAnalysis, onPause, onPromote, onResume, onRouterFailed, onTick, onWeightApplied } from "./rollout.ts";
import { isTerminal } from "./run-state.ts";
import { refuse, TransitionDraft, unchanged, type Transition } from "./transition.ts";
import type { RunState } from "./types.ts";

export { createRunState, isTerminal, nextDeadline } from "./run-state.ts";
export type { Transition } from "./transition.ts";

/**
 * The whole release lifecycle as a pure function: pre-deploy → build → approval gate →
 * rollout steps → post-deploy → release record → succeeded | rolled_back | failed | aborted.
 * A refused event leaves the state exactly as it was and says why. The rules that hold for every
 * command (permission, ended runs, rollbacks) are here; each concern's transitions are in
 * agents.ts, gates.ts, rollout.ts and rollback.ts, built on transition.ts.
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
  const t = new TransitionDraft(state, now);
  switch (event.kind) {
    case "start":
      return onStart(t);
    case "agentStarted":
      return onAgentStarted(t, event);
    case "agentFinished":
      return onAgentFinished(t, event);
    case "waive":
      return onWaive(t, event.actor, event.reason);
    case "approve":
      return onApprove(t, event.actor, event.reason);
    case "reject":
      return onReject(t, event);
    case "confirmWeight":
      return onWeightApplied(t, event.percent, event.actor);
    case "weightApplied":
      if (event.stepIndex !== state.stepIndex) return unchanged(state);
      return onWeightApplied(t, event.percent, null);
    case "routerFailed":
      return onRouterFailed(t, event);
    case "tick":
      return onTick(t);
    case "analysis":
      return onAnalysis(t, event.stepIndex, event.result);
    case "pause":
      return onPause(t, event);
    case "resume":
      return onResume(t, event);
    case "promote":
      return onPromote(t, event);
    case "rollback":
      return onRollback(t, event);
    case "abort":
      return onAbort(t, event);
    case "rollbackStepFinished":
      return onRollbackStepFinished(t, event.step, event.status, event.detail);
    case "recordWritten":
      return onRecordWritten(t);
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
}
