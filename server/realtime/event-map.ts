import * as z from "zod/mini";
import { PHASES, RUN_STATUSES, WAITING_FOR } from "../core/types.ts";
import { ZWireEvaluations, ZWireVerdict } from "../contracts/analysis-wire.ts";
import type { MetricPoint } from "../metrics/aggregator.ts";

/**
 * The socket.io event map, shared by the server and the browser, with a zod schema per event: the
 * browser parses every payload with it (use-run-events.ts) and refetches on one that does not
 * parse. Every run event carries the run's sequence number: a client that sees a gap refetches
 * instead of trusting its cache.
 */
const ZRunId = z.string();
const ZSeq = z.int().check(z.nonnegative());

export const ZRunChangedEvent = z.object({
  runId: ZRunId,
  seq: ZSeq,
  status: z.enum(RUN_STATUSES),
  phase: z.enum(PHASES),
  waitingFor: z.nullable(z.enum(WAITING_FOR)),
  summary: z.string(),
});
export const ZAgentLogEvent = z.object({ runId: ZRunId, seq: ZSeq, taskId: z.string(), agent: z.string(), phase: z.string(), line: z.string(), at: z.string() });
export const ZAgentProgressEvent = z.object({ runId: ZRunId, seq: ZSeq, taskId: z.string(), agent: z.string(), phase: z.string(), progress: z.number().check(z.gte(0), z.lte(100)) });
const ZGauge = z.catch(z.nullable(z.number()), null);
const ZMetricPoint = z.object({
  at: z.number(),
  side: z.enum(["baseline", "canary"]),
  requests: z.number(),
  errors: z.number(),
  p50: z.nullable(z.number()),
  p95: z.nullable(z.number()),
  p99: z.nullable(z.number()),
  cpuPercent: ZGauge,
  memoryPercent: ZGauge,
});
/** One second of traffic per side, for the live charts. */
export const ZMetricsEvent = z.object({ runId: ZRunId, points: z.array(ZMetricPoint) });
/** The canary analysis's latest evaluation: every trigger's numbers. */
export const ZAnalysisEvent = z.object({ runId: ZRunId, stepIndex: z.int(), at: z.string(), verdict: ZWireVerdict, summary: z.string(), evaluations: ZWireEvaluations });
/** `forStatus`: the run status the message was written in; it stops being true once the run leaves it. */
export const ZNotificationEvent = z.object({ runId: ZRunId, severity: z.enum(["info", "warning", "critical"]), message: z.string(), at: z.string(), forStatus: z.optional(z.enum(RUN_STATUSES)) });
export const ZRunsChangedEvent = z.object({ runId: ZRunId, status: z.string() });

export type RunChangedEvent = z.infer<typeof ZRunChangedEvent>;
export type AgentLogEvent = z.infer<typeof ZAgentLogEvent>;
export type AgentProgressEvent = z.infer<typeof ZAgentProgressEvent>;
export type MetricsEvent = { runId: string; points: MetricPoint[] };
/** What the server sends: the core's evaluations made JSON-safe (the browser reads them with ZWireEvaluations). */
export type AnalysisEvent = z.input<typeof ZAnalysisEvent>;
export type NotificationEvent = z.infer<typeof ZNotificationEvent>;

export interface ServerToClientEvents {
  // Typed as sent; the browser parses each payload with the schema of the same name before use.
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
