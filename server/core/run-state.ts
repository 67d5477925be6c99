import { AGENTS_BY_PHASE, TERMINAL_STATUSES, type AgentState, type CheckPhase, type GateState, type Policy, type RolloutStep, type RunParams, type RunState } from "./types.ts";

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
