/** The facts a release record is built from, gathered by the engine from the run and what was stored beside it. */
import type { Criterion } from "../success-criteria.ts";
import type { AgentState, RollbackStepKind, RunState } from "../types.ts";
import type { ConfigChange } from "./config-diff.ts";
import type { RecordFinding } from "./document.ts";

/** One decision of the run, as stored. */
export type RecordDecision = {
  /** when it was taken (ISO) */
  at: string;
  /** advance | hold | rollback | approve | reject | block | waive | fail | succeed | … */
  verdict: string;
  /** which rule or person decided, e.g. "hold-elapsed", "operator", "error-rate" */
  trigger: string;
  /** one sentence, with the numbers */
  reason: string;
  /** the numbers behind the verdict, as stored (JSON object) */
  evidence: Record<string, unknown>;
  /** the region it belongs to (region-by-region runs) */
  region?: string | null;
};

/** Everything a release record says, gathered by the engine. */
export type ReleaseRecordInput = {
  /** the run's number, e.g. 42 for "#42" */
  number: number;
  /** the service's display name, e.g. "Checkout" */
  serviceName: string;
  /** the run's state when the record is written, in any status */
  state: RunState;
  /** per agent, in procedure order, with its findings */
  agents: (AgentState & { findings: RecordFinding[] })[];
  /** the procedure's success criteria, as the run page shows them */
  criteria: Criterion[];
  /** approvals and rejections at the gates, oldest first */
  approvals: { gate: string; decision: string; by: string; at: string; reason: string | null }[];
  /** every decision of the run, oldest first */
  decisions: RecordDecision[];
  /** configuration differences baseline → target; a string says why they are unknown; null: not configured */
  configChanges: ConfigChange[] | string | null;
  /** the target's release notes; a string between "_" says why they are missing; null: not configured */
  releaseNotes: string | null;
  /** the service's runbook and incident-response steps, as its team wrote them; "" when none */
  runbook: string;
  /** when this version of the record was written (ISO) */
  writtenAt: string;
  /** what the post-mortem draft reads beyond the run state; null when there was no rollback */
  postMortem: PostMortemFacts | null;
};

/** One trigger's line of a stored canary evaluation. */
export type EvaluationLine = {
  /** trigger id, e.g. "error-rate" */
  trigger: string;
  /** pass | insufficient | hold | rollback */
  verdict: string;
  /** canary requests (or samples, signals) seen */
  n: number;
  /** of which counted against the canary: errors, slow requests, exceeded samples, signals */
  k: number;
  /** k / n for a statistical test; null for a rule or before any data */
  observedRate: number | null;
  /** the engine's sentence with the numbers */
  message: string;
};

/** A stored evaluation of the canary analysis. */
export type DecidingEvaluation = {
  /** when it was evaluated (ISO) */
  at: string;
  /** the step's verdict: pass | insufficient | hold | rollback */
  verdict: string;
  /** one sentence for the whole step */
  summary: string;
  /** every trigger's numbers */
  lines: EvaluationLine[];
};

/** What the post-mortem draft reads beyond the run state, gathered by the engine. */
export type PostMortemFacts = {
  /** the person who asked for the rollback, by name; null when the engine rolled back on its own */
  requestedByName: string | null;
  /** the evaluation that decided the rollback, or the last one before it; null when no analysis watched the step */
  evaluation: DecidingEvaluation | null;
  /** when each rollback step finished (ISO); a step missing here has not finished */
  stepFinishedAt: Partial<Record<RollbackStepKind, string>>;
};
