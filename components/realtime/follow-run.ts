/**
 * How the run page follows one run over its socket, with a zod schema per event. Loaded by
 * useRunEvents (use-run-events.ts) with its own chunk: the schemas stay out of the first load.
 */

import type { QueryClient } from "@tanstack/react-query";
import type * as z from "zod/mini";
import {
  ZAgentLogEvent,
  ZAgentProgressEvent,
  ZAnalysisEvent,
  ZMetricsEvent,
  ZNotificationEvent,
  ZRunChangedEvent,
  type AgentLogEvent,
  type AgentProgressEvent,
  type NotificationEvent,
} from "@/server/realtime/event-map";
import {
  analysisKey,
  fromAnalysisEvent,
  metricsKey,
  newerAnalysis,
  withLivePoints,
  type AnalysisRecord,
  type MetricPoint,
} from "@/components/charts/metrics-cache";
import { runKey, type CachedRun } from "@/components/runs/run-queries";
import { analysisHistoryKey } from "@/components/analysis/use-analysis-history";
import { refetchFresh } from "./refetch-fresh";
import type { FlightdeckSocket } from "./socket";

// The run page shows at most this many log lines per agent (the server sends the last 200).
const LOG_LINES = 200;
// The difference chart's history is rebuilt by the server (thinning, bounds) on each fetch, and
// evaluations arrive every second: refetch it at most this often.
const HISTORY_REFETCH_MS = 3_000;

/**
 * Applies one incremental event to the cached run if it is the very next one (seq = cached + 1).
 * The cached view's `seq` is the last event it includes, so it doubles as the gap detector:
 * older events are already in it, and anything further ahead means we missed one → refetch.
 */
function applyInOrder(qc: QueryClient, runId: string, seq: number, patch: (run: CachedRun) => CachedRun): void {
  const cached = qc.getQueryData<CachedRun>(runKey(runId));
  if (!cached) {
    // The first fetch may have read the run before this event: fetch again once it is here.
    refetchFresh(qc, runKey(runId));
    return;
  }
  if (seq <= cached.seq) return;
  if (seq !== cached.seq + 1) {
    refetchFresh(qc, runKey(runId));
    return;
  }
  qc.setQueryData<CachedRun>(runKey(runId), patch({ ...cached, seq }));
}

function withProgress(run: CachedRun, e: AgentProgressEvent): CachedRun {
  return { ...run, tasks: run.tasks.map((t) => (t.id === e.taskId ? { ...t, progress: e.progress } : t)) };
}

function withLogLine(run: CachedRun, e: AgentLogEvent): CachedRun {
  return {
    ...run,
    tasks: run.tasks.map((t) =>
      t.id === e.taskId ? { ...t, logs: [...t.logs, { id: `live-${e.seq}`, at: e.at, line: e.line }].slice(-LOG_LINES) } : t,
    ),
  };
}

/**
 * A socket handler that reads its payload with the event's schema; a payload that does not parse
 * (a server newer or older than this page) is dropped and the run refetched instead.
 */
function parsedWith<S extends z.ZodMiniType>(schema: S, use: (e: z.output<S>) => void, onBad: () => void): (raw: unknown) => void {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) use(parsed.data);
    else onBad();
  };
}

/**
 * Follows one run live: joins its room (again after every reconnect), turns events into cache
 * updates, and refetches whenever it may have missed something. Returns what stops it.
 */
export function followRun(socket: FlightdeckSocket, qc: QueryClient, runId: string, onNotification?: (e: NotificationEvent) => void): () => void {
  const key = runKey(runId);
  const resync = () => refetchFresh(qc, key);
  let connectedBefore = false;

  const join = () => {
    socket.emit("run:join", runId, (ack) => {
      if (!ack.ok) return;
      const cached = qc.getQueryData<CachedRun>(key);
      // No cache yet means the first fetch may still be in flight and may have read the run
      // before events we joined too late to receive: fetch again, now that we are in the room.
      if (!cached || cached.seq < ack.seq) resync();
    });
    // Events sent while we were disconnected are gone: refetch instead of trusting the cache.
    if (connectedBefore) {
      resync();
      void qc.invalidateQueries({ queryKey: metricsKey(runId) });
      void qc.invalidateQueries({ queryKey: analysisHistoryKey(runId) });
    }
    connectedBefore = true;
  };
  const onChanged = parsedWith(ZRunChangedEvent, (e) => {
    if (e.runId !== runId) return;
    // The refetch below brings this change; counting it now keeps the log and progress
    // events that follow it in order instead of each looking like a gap.
    const cached = qc.getQueryData<CachedRun>(key);
    if (cached && e.seq === cached.seq + 1) qc.setQueryData<CachedRun>(key, { ...cached, seq: e.seq });
    resync();
  }, resync);
  const onProgress = parsedWith(ZAgentProgressEvent, (e) => {
    if (e.runId === runId) applyInOrder(qc, runId, e.seq, (run) => withProgress(run, e));
  }, resync);
  const onLog = parsedWith(ZAgentLogEvent, (e) => {
    if (e.runId === runId) applyInOrder(qc, runId, e.seq, (run) => withLogLine(run, e));
  }, resync);
  const onNote = parsedWith(ZNotificationEvent, (e) => {
    if (e.runId === runId) onNotification?.(e);
  }, () => {});
  // Chart points and evaluations carry no seq: they are snapshots, so the newest simply wins.
  // Points are kept even before the first fetch lands; it keeps those newer than its windows.
  const refetchMetrics = () => void qc.invalidateQueries({ queryKey: metricsKey(runId) });
  const onMetrics = parsedWith(ZMetricsEvent, (e) => {
    if (e.runId === runId) qc.setQueryData<MetricPoint[]>(metricsKey(runId), (cached) => withLivePoints(cached, e.points));
  }, refetchMetrics);
  let historyTimer: ReturnType<typeof setTimeout> | undefined;
  let historyFetchedAt = 0;
  const refetchHistory = () => {
    if (historyTimer !== undefined) return;
    historyTimer = setTimeout(() => {
      historyTimer = undefined;
      historyFetchedAt = Date.now();
      void qc.invalidateQueries({ queryKey: analysisHistoryKey(runId) });
    }, Math.max(0, historyFetchedAt + HISTORY_REFETCH_MS - Date.now()));
  };
  const onAnalysis = parsedWith(ZAnalysisEvent, (e) => {
    if (e.runId !== runId) return;
    qc.setQueryData<AnalysisRecord | null>(analysisKey(runId), (cached) => newerAnalysis(cached, fromAnalysisEvent(e)));
    refetchHistory();
  }, refetchMetrics);

  socket.on("connect", join);
  socket.on("run:changed", onChanged);
  socket.on("run:progress", onProgress);
  socket.on("run:log", onLog);
  socket.on("run:notification", onNote);
  socket.on("run:metrics", onMetrics);
  socket.on("run:analysis", onAnalysis);
  if (socket.connected) join();
  return () => {
    socket.off("connect", join);
    socket.off("run:changed", onChanged);
    socket.off("run:progress", onProgress);
    socket.off("run:log", onLog);
    socket.off("run:notification", onNote);
    socket.off("run:metrics", onMetrics);
    socket.off("run:analysis", onAnalysis);
    clearTimeout(historyTimer);
    if (socket.connected) socket.emit("run:leave", runId);
  };
}
