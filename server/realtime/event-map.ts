import type { MetricPoint } from "../metrics/aggregator.ts";

/**
 * The typed socket.io event map, shared by the server and the browser. Every run event carries
 * the run's sequence number: a client that sees a gap refetches instead of trusting its cache.
 */
export type RunChangedEvent = { runId: string; seq: number; status: string; phase: string; waitingFor: string | null; summary: string };
export type AgentLogEvent = { runId: string; seq: number; taskId: string; agent: string; phase: string; line: string; at: string };
export type AgentProgressEvent = { runId: string; seq: number; taskId: string; agent: string; phase: string; progress: number };
/** One second of traffic per side, for the live charts. */
export type MetricsEvent = { runId: string; points: MetricPoint[] };
/** The canary analysis's latest evaluation: every trigger's numbers. */
export type AnalysisEvent = { runId: string; stepIndex: number; at: string; verdict: string; summary: string; evaluations: unknown[] };
export type NotificationEvent = { runId: string; severity: "info" | "warning" | "critical"; message: string; at: string };

export interface ServerToClientEvents {
  "run:changed": (e: RunChangedEvent) => void;
  "run:log": (e: AgentLogEvent) => void;
  "run:progress": (e: AgentProgressEvent) => void;
  "run:notification": (e: NotificationEvent) => void;
  "run:metrics": (e: MetricsEvent) => void;
  "run:analysis": (e: AnalysisEvent) => void;
  /** something about the runs list changed (new run, status) */
  "runs:changed": (e: { runId: string; status: string }) => void;
}

export interface ClientToServerEvents {
  /** join a run's room; answers with the run's current seq, or an error */
  "run:join": (runId: string, ack: (r: { ok: true; seq: number } | { ok: false; error: string }) => void) => void;
  "run:leave": (runId: string) => void;
  "runs:join": (ack: (r: { ok: boolean }) => void) => void;
}

/** What the engine hands to the realtime layer (events out, not calls out). */
export type DomainEvent =
  | { kind: "runChanged"; event: RunChangedEvent }
  | { kind: "agentLog"; event: AgentLogEvent }
  | { kind: "agentProgress"; event: AgentProgressEvent }
  | { kind: "notification"; event: NotificationEvent }
  | { kind: "metrics"; event: MetricsEvent }
  | { kind: "analysis"; event: AnalysisEvent };

export type Publish = (e: DomainEvent) => void;
