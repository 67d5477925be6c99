import { TERMINAL_STATUSES, type RunState } from "./types.ts";

/**
 * When each command can do something, per the run's state: the run page offers a control only
 * then (and decide refuses the command otherwise, with its own reason). Kept apart from the
 * command table's input schemas so the browser can read it without them.
 */

const active = (s: RunState) => !TERMINAL_STATUSES.includes(s.status);
const gateOpen = (s: RunState) => s.status === "running" && (s.phase === "approval" || s.phase === "post_deploy") && (s.phase === "approval" ? s.gate : s.verification).status === "open";

export const POSSIBLE_IN = {
  approve: (s: RunState) => gateOpen(s) && s.waitingFor === "approval",
  reject: (s: RunState) => s.status === "running" && s.phase === "approval" && s.gate.status === "open",
  waive: (s: RunState) => gateOpen(s) && s.waitingFor === "waiver",
  confirmWeight: (s: RunState) => active(s) && s.waitingFor === "weight_confirmation",
  pause: (s: RunState) => s.status === "running" && s.phase === "rollout",
  resume: (s: RunState) => s.status === "paused",
  promote: (s: RunState) => (s.status === "running" || s.status === "paused") && s.phase === "rollout" && s.stepPhase === "holding",
  // At any point of an active run: before traffic moved it only runs the rest of the procedure.
  rollback: (s: RunState) => s.status === "running" || s.status === "paused",
  abort: (s: RunState) => s.status === "running" && s.canaryPercent === 0 && (s.phase === "pre_deploy" || s.phase === "build" || s.phase === "approval"),
} as const;

/** A command's kind: approve, reject, waive, confirmWeight, pause, resume, promote, rollback, abort. */
export type CommandKind = keyof typeof POSSIBLE_IN;
export const COMMAND_KINDS = Object.keys(POSSIBLE_IN) as CommandKind[];

/** The commands that can do something now (what the run page offers, before roles are applied). */
export function possibleCommands(state: RunState): CommandKind[] {
  return COMMAND_KINDS.filter((kind) => POSSIBLE_IN[kind](state));
}

/**
 * Why this person cannot approve the open gate, or null when they can: the same refusals the
 * core's onApprove gives, asked before the button is offered, so nobody is shown an Approve that
 * is refused when clicked.
 */
export function approveRefusal(state: RunState, userId: string): string | null {
  const gate = state.gate;
  const hard = gate.blockers.filter((b) => !b.waivable && b.waived === null);
  if (hard.length > 0) return `Policy blocks this gate: ${hard.map((b) => b.message).join("; ")}. Reject the run instead.`;
  if (state.policy.separationOfDuties && userId === state.params.createdBy) {
    return "Separation of duties (SOX): the person who created the run cannot approve it.";
  }
  if (gate.approvals.some((a) => a.userId === userId)) return "You have already approved this gate.";
  return null;
}
