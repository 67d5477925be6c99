import type { AnalysisEvent, MetricsEvent } from "@/server/realtime/event-map";
import type { RunMetrics } from "@/server/services/run-metrics";
import { parseEvaluations, parseVerdict, type ShownEvaluation } from "@/components/analysis/evaluations";
import type { Verdict } from "@/server/core/analysis/triggers";
import type { MetricPoint as LivePoint } from "@/server/metrics/aggregator";
import type { Side } from "@/server/metrics/types";

export type { Side };

/**
 * One window of one side's traffic, as the charts draw it: a live second from the aggregator or
 * a stored window, with how long it was (10 s stored, 1 s live). `at` is the window's end; CPU
 * and memory are null when no sample arrived in it (gauges are sparse).
 */
export type MetricPoint = LivePoint & { spanMs: number };

/** The latest evaluation of the canary, with every trigger's numbers. */
export type AnalysisRecord = {
  /** when it was evaluated, epoch ms */
  at: number;
  stepIndex: number;
  verdict: Verdict;
  summary: string;
  /** canary requests still needed before promotion; null when unknown (live events omit it), -1 when it cannot be sized */
  requestsNeeded: number | null;
  evaluations: ShownEvaluation[];
};

export const metricsKey = (runId: string) => ["run-metrics", runId] as const;
export const analysisKey = (runId: string) => ["run-analysis", runId] as const;

/** Stored windows are closed every 10 s (server/metrics/aggregator.ts); live points every second. */
export const STORED_SPAN_MS = 10_000;
export const LIVE_SPAN_MS = 1_000;
// The charts show the last quarter of an hour; the array never grows past this many points.
const RETAIN_MS = 15 * 60_000;
const MAX_POINTS = 4_000;

function isSide(side: string): side is Side {
  return side === "baseline" || side === "canary";
}

/** A gauge sample as the charts take it: absent (a server without gauges) or not a finite number reads as "no sample". */
function gauge(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function bounded(points: MetricPoint[]): MetricPoint[] {
  const newest = points.at(-1)?.at;
  if (newest === undefined) return points;
  return points.filter((p) => p.at > newest - RETAIN_MS).slice(-MAX_POINTS);
}

function newestAt(points: readonly MetricPoint[] | undefined): number {
  return points?.reduce((max, p) => Math.max(max, p.at), -Infinity) ?? -Infinity;
}

/**
 * The stored windows, followed by the live points the cache already holds that are newer than
 * the last stored window (the windows cover everything before it).
 */
export function fromStoredWindows(windows: RunMetrics["windows"], cached: readonly MetricPoint[] | undefined): MetricPoint[] {
  const stored: MetricPoint[] = [];
  for (const w of windows) {
    if (!isSide(w.side)) continue;
    stored.push({
      at: Date.parse(w.at),
      side: w.side,
      spanMs: STORED_SPAN_MS,
      requests: w.requests,
      errors: w.errors,
      p50: w.p50,
      p95: w.p95,
      p99: w.p99,
      cpuPercent: gauge(w.cpuPercent),
      memoryPercent: gauge(w.memoryPercent),
    });
  }
  const lastStored = newestAt(stored);
  const live = (cached ?? []).filter((p) => p.at > lastStored);
  return bounded([...stored, ...live].sort((a, b) => a.at - b.at));
}

/** Appends one second of live points; anything not newer than what the cache holds is a repeat. */
export function withLivePoints(cached: MetricPoint[] | undefined, points: MetricsEvent["points"]): MetricPoint[] {
  const last = newestAt(cached);
  const fresh = points
    .filter((p) => p.at > last)
    .map((p): MetricPoint => ({ ...p, spanMs: LIVE_SPAN_MS, cpuPercent: gauge(p.cpuPercent), memoryPercent: gauge(p.memoryPercent) }));
  if (fresh.length === 0 && cached) return cached;
  return bounded([...(cached ?? []), ...fresh]);
}

/** The stored latest evaluation, typed (evaluations arrive as JSON with Infinity as null). */
export function fromStoredAnalysis(a: RunMetrics["latestAnalysis"]): AnalysisRecord | null {
  if (!a) return null;
  return {
    at: Date.parse(a.at),
    stepIndex: a.stepIndex,
    verdict: parseVerdict(a.verdict),
    summary: a.summary,
    requestsNeeded: a.requestsNeeded,
    evaluations: parseEvaluations(a.evaluations),
  };
}

export function fromAnalysisEvent(e: AnalysisEvent): AnalysisRecord {
  return { at: Date.parse(e.at), stepIndex: e.stepIndex, verdict: parseVerdict(e.verdict), summary: e.summary, requestsNeeded: null, evaluations: parseEvaluations(e.evaluations) };
}

/** Keeps whichever evaluation is newer: a slow fetch must not overwrite a fresher live one. */
export function newerAnalysis(cached: AnalysisRecord | null | undefined, incoming: AnalysisRecord | null): AnalysisRecord | null {
  if (!incoming) return cached ?? null;
  if (!cached || incoming.at >= cached.at) return incoming;
  return cached;
}
