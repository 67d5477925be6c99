"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ZAnalysisHistory, type AnalysisHistory } from "@/server/contracts/analysis-history-api";
import { fetchJson } from "@/components/query/fetch-json";

/** Every step's history of a run: the prefix `useRunEvents` refetches on new evaluations. */
export const analysisHistoryKey = (runId: string) => ["run-analysis-history", runId] as const;

/**
 * One step's evaluations as series per test (GET /api/runs/:id/analysis): `step` null means the
 * latest evaluated step, so the chart follows the rollout to its next step by itself. Refetched
 * by `useRunEvents` at most every few seconds while evaluations stream in.
 */
export function useAnalysisHistory(runId: string, step: number | null) {
  return useQuery<AnalysisHistory>({
    queryKey: [...analysisHistoryKey(runId), step ?? "latest"],
    queryFn: ({ signal }) => fetchJson(`/api/runs/${runId}/analysis${step === null ? "" : `?step=${step}`}`, ZAnalysisHistory, signal),
    // Switching steps keeps the previous panels until the new ones arrive (no flash of a skeleton).
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
