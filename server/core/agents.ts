import type { RunEvent } from "./events.ts";
import { AGENTS_BY_PHASE, type AgentState, type CheckPhase, type RunState } from "./types.ts";
import { unchanged, type Transition, type TransitionDraft } from "./transition.ts";

/** The check agents' part of a run: starting a phase's agents, their results, cancelling them. */

export function findAgent(state: RunState, phase: CheckPhase, agent: string): AgentState | undefined {
  return state.agents.find((a) => a.phase === phase && a.agent === agent);
}

export function startChecks(t: TransitionDraft, phase: CheckPhase): void {
  t.state.phase = phase;
  t.effects.push({ kind: "runAgents", phase, agents: [...AGENTS_BY_PHASE[phase]] });
}

export function cancelRunningAgents(t: TransitionDraft): void {
  for (const a of t.state.agents) if (a.status === "pending" && a.phase === t.state.phase) a.status = "cancelled";
  for (const a of t.state.agents) if (a.status === "running") a.status = "cancelled";
}

/** An agent has started: pending → running. */
export function onAgentStarted(t: TransitionDraft, e: Extract<RunEvent, { kind: "agentStarted" }>): Transition {
  const agent = findAgent(t.state, e.phase, e.agent);
  if (agent?.status === "pending") agent.status = "running";
  return t.done();
}

/** The run's first event: the pre-deploy checks start. */
export function onStart(t: TransitionDraft): Transition {
  if (t.state.startedAt !== null) return unchanged(t.state, "Run already started.");
  t.state.startedAt = t.now;
  startChecks(t, "pre_deploy");
  return t.done();
}
