import type { Actor, AgentName, AnalysisSnapshot, CheckPhase, CheckReport, RollbackStepKind, RollbackStepState, RunStatus } from "./types.ts";

/** Everything that can happen to a run: commands from people, and results from adapters. */
export type RunEvent =
  | { kind: "start" }
  /** a runner's report; the core judges it against the run's policy (core/judge.ts) */
  | { kind: "agentFinished"; phase: CheckPhase; agent: AgentName; report: CheckReport }
  | { kind: "agentStarted"; phase: CheckPhase; agent: AgentName }
  | { kind: "waive"; actor: Actor; reason: string }
  | { kind: "approve"; actor: Actor; reason: string }
  | { kind: "reject"; actor: Actor; reason: string }
  | { kind: "confirmWeight"; actor: Actor; percent: number }
  | { kind: "weightApplied"; stepIndex: number; percent: number }
  | { kind: "routerFailed"; stepIndex: number; error: string }
  | { kind: "tick" }
  /** the canary analysis of a step (sent when its verdict changes, and periodically) */
  | { kind: "analysis"; stepIndex: number; result: AnalysisSnapshot }
  | { kind: "pause"; actor: Actor; reason: string }
  | { kind: "resume"; actor: Actor }
  | { kind: "promote"; actor: Actor; reason: string }
  | { kind: "rollback"; actor: Actor; reason: string; trigger?: string }
  | { kind: "abort"; actor: Actor; reason: string }
  | { kind: "rollbackStepFinished"; step: RollbackStepKind; status: Extract<RollbackStepState["status"], "done" | "failed" | "skipped">; detail: string }
  | { kind: "recordWritten" };

/** Commands people issue (the rest come from adapters and the clock). */
export type RunCommand = Extract<RunEvent, { actor: Actor }>;

/** Work for adapters, carried out after the transition is committed (outbox). */
export type RunEffect =
  | { kind: "runAgents"; phase: CheckPhase; agents: AgentName[] }
  | { kind: "cancelAgents"; reason: string }
  /** `region`: a region-by-region run's step shifts traffic on that region's router */
  | { kind: "setWeight"; stepIndex: number; percent: number; region?: string }
  /** `regions`: a region-by-region run's routers that go back to 0%, in order */
  | { kind: "rollbackStep"; step: RollbackStepKind; percent: number; regions?: string[] }
  | { kind: "writeRecord" }
  /** `forStatus`: the run status the message was written in (set when stored; the page drops it once the run has left that status) */
  | { kind: "notify"; severity: "info" | "warning" | "critical"; message: string; forStatus?: RunStatus };

/** A verdict with the numbers behind it, stored for "why did it do that?". */
export type DecisionRecord = {
  stepIndex: number | null;
  /** the rule or person that decided */
  trigger: string;
  verdict: "advance" | "hold" | "insufficient" | "rollback" | "approve" | "reject" | "block" | "waive" | "fail" | "succeed" | "pause" | "resume" | "promote" | "abort";
  reason: string;
  evidence: Record<string, string | number | boolean | null>;
  /** the region the verdict belongs to (region-by-region runs) */
  region?: string | null;
};
