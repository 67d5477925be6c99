import type { DecisionRecord, RunEffect } from "./events.ts";
import type { RunState } from "./types.ts";

/**
 * How one event's transition is built: a draft of the next state that collects the effects and
 * decisions, and the two ways to answer without a change (refused, or a harmless no-op).
 */

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

/** The transition being built: a copy of the state, plus the effects and decisions collected on it. */
export class TransitionDraft {
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
    const region = this.state.steps[this.state.stepIndex]?.region;
    this.decisions.push({ stepIndex: d.stepIndex ?? (this.state.stepIndex >= 0 ? this.state.stepIndex : null), ...(region ? { region } : {}), ...d });
  }
  done(): Transition {
    return { state: this.state, effects: this.effects, decisions: this.decisions, rejected: null, note: this.note };
  }
}

export function refuse(state: RunState, message: string): Transition {
  return { state, effects: [], decisions: [], rejected: message, note: null };
}

export function unchanged(state: RunState, note: string | null = null): Transition {
  return { state, effects: [], decisions: [], rejected: null, note };
}

/** Ends the run with `status` and the sentence that says why. */
export function finish(t: TransitionDraft, status: RunState["status"], outcome: string): void {
  t.state.status = status;
  t.state.phase = "done";
  t.state.waitingFor = null;
  t.state.holdEndsAt = null;
  t.state.pausedRemainingMs = null;
  t.state.finishedAt = t.now;
  t.state.outcome = outcome;
}
