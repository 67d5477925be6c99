import type { CheckContext } from "../../engine/ports.ts";
import { AGENTS_BY_PHASE, type AgentName, type CheckPhase } from "../../core/types.ts";

/** What a test saw of one agent run: the context plus every log line and progress value it reported. */
export type RecordingContext = CheckContext & { logs: string[]; progressSeen: number[] };

function phaseOf(agent: AgentName): CheckPhase {
  const entry = Object.entries(AGENTS_BY_PHASE).find(([, agents]) => (agents as readonly string[]).includes(agent));
  return (entry?.[0] ?? "pre_deploy") as CheckPhase;
}

/**
 * A check context for an agent's service tests (checkout 1.4.1 → 1.4.2 in production, low risk,
 * no compliance framework unless overridden) that records what the runner logs and reports.
 */
export function recordingContext(agent: AgentName, config: unknown, overrides: Partial<CheckContext> = {}): RecordingContext {
  const logs: string[] = [];
  const progressSeen: number[] = [];
  return {
    runId: `run-${agent}`,
    phase: phaseOf(agent),
    agent,
    service: "checkout",
    environment: "production",
    baselineVersion: "1.4.1",
    targetVersion: "1.4.2",
    risk: "low",
    compliance: "none",
    config,
    signal: new AbortController().signal,
    progress: async (percent) => {
      progressSeen.push(percent);
    },
    log: async (line) => {
      logs.push(line);
    },
    ...overrides,
    logs,
    progressSeen,
  };
}
