"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { RunView } from "@/server/contracts/runs-api";
import { fetchJson } from "@/components/query/fetch-json";

// The response schemas load with their own chunk while the first request is under way: zod is not
// in the first load of the pages that list or show runs (issue 11's 200 KB budget).
const runList = () => import("@/server/contracts/runs-api").then((m) => m.ZRunList);
const runView = () => import("@/server/contracts/runs-api").then((m) => m.ZRunView);
const serviceList = () => import("@/server/contracts/services-api").then((m) => m.ZServiceList);

/** A run as cached: the server's view plus how far the server clock is ahead of ours. */
export type CachedRun = RunView & { clockOffsetMs: number };

// Sockets carry live updates; this slow poll only covers a socket that silently stopped.
// While a query is failing (e.g. the database is down) it retries every 3 s instead.
const SAFETY_POLL_MS = (query: { state: { status: string } }) => (query.state.status === "error" ? 3_000 : 30_000);

export type RunFilters = { service?: string; environment?: string; status?: string };

export const runsKey = (filters?: RunFilters) => (filters ? (["runs", filters] as const) : (["runs"] as const));
export const runKey = (id: string) => ["run", id] as const;
export const servicesKey = ["services"] as const;

export function useRuns(filters: RunFilters) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return useQuery({
    queryKey: runsKey(filters),
    queryFn: ({ signal }) => fetchJson(`/api/runs?${params.toString()}`, runList, signal),
    placeholderData: keepPreviousData,
    refetchInterval: SAFETY_POLL_MS,
  });
}

/** `initial`: the run as the page was sent with it (app/(dashboard)/runs/[id]/page.tsx), shown at once. */
export function useRun(id: string, initial?: RunView) {
  return useQuery({
    queryKey: runKey(id),
    // Fresh as of the server's render: no refetch on mount. Socket events refetch it from here,
    // and joining the run's room compares sequence numbers, so nothing sent since is missed.
    ...(initial
      ? { initialData: () => ({ ...initial, clockOffsetMs: initial.serverNow - Date.now() }), initialDataUpdatedAt: initial.serverNow, staleTime: 15_000 }
      : {}),
    queryFn: async ({ signal }): Promise<CachedRun> => {
      const sentAt = Date.now();
      const view = await fetchJson(`/api/runs/${id}`, runView, signal);
      // serverNow was read mid-request: compare it with our clock at the midpoint.
      const clockOffsetMs = view.serverNow - (sentAt + Date.now()) / 2;
      return { ...view, clockOffsetMs };
    },
    refetchInterval: SAFETY_POLL_MS,
  });
}

export function useServices() {
  return useQuery({
    queryKey: servicesKey,
    queryFn: ({ signal }) => fetchJson("/api/services", serviceList, signal),
    staleTime: 60_000,
  });
}
