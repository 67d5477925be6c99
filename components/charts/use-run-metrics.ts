"use client";
import { skipToken, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { ZRunMetrics } from "@/server/contracts/runs-api";
import { fetchJson } from "@/components/query/fetch-json";
import {
  analysisKey,
  fromStoredAnalysis,
  fromStoredWindows,
  metricsKey,
  newerAnalysis,
  type AnalysisRecord,
  type MetricPoint,
} from "./metrics-cache";

// Runs whose stored history this page has fetched: live points alone may have created the cache before.
const historyLoaded = new Set<string>();

function runMetricsQuery(qc: QueryClient, runId: string) {
  return {
    queryKey: metricsKey(runId),
    queryFn: async ({ signal }: { signal: AbortSignal }): Promise<MetricPoint[]> => {
      const metrics = await fetchJson(`/api/runs/${runId}/metrics`, ZRunMetrics, signal);
      qc.setQueryData<AnalysisRecord | null>(analysisKey(runId), (cached) => newerAnalysis(cached, fromStoredAnalysis(metrics.latestAnalysis)));
      historyLoaded.add(runId);
      // Live points that arrived while this was loading are kept (read after the await).
      return fromStoredWindows(metrics.windows, qc.getQueryData<MetricPoint[]>(metricsKey(runId)));
    },
    staleTime: 60_000,
  };
}

/**
 * Starts loading a run's metric history before the charts are there to ask (the run page calls
 * it as it opens, while the charts' code is still on its way).
 */
export function prefetchRunMetrics(qc: QueryClient, runId: string): Promise<void> {
  return qc.prefetchQuery(runMetricsQuery(qc, runId));
}

/**
 * A run's metric points: the stored 10 s windows once, then the 1 s points `useRunEvents`
 * appends. The fetch also brings the latest stored evaluation into ["run-analysis", id].
 */
export function useRunMetrics(runId: string) {
  const qc = useQueryClient();
  return useQuery({
    ...runMetricsQuery(qc, runId),
    // Live points may have created the cache before this mounted: the history still has to load.
    refetchOnMount: () => (historyLoaded.has(runId) ? true : "always"),
  });
}

/** The latest evaluation: written by the metrics fetch and by `run:analysis` events, never fetched alone. */
export function useRunAnalysis(runId: string) {
  return useQuery<AnalysisRecord | null>({ queryKey: analysisKey(runId), queryFn: skipToken });
}
