"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/components/query/fetch-json";
import { ZReleaseHealth, type HealthPeriodChoice } from "@/server/contracts/release-health-api";

/** What the page asks for; it lives in the URL so a view can be shared. */
export type HealthFilters = { service?: string; environment?: string; period: HealthPeriodChoice; from?: string; to?: string };

export const releaseHealthKey = (f: HealthFilters) => ["release-health", f] as const;

/** The figures for the filters; refreshed every minute (finished runs change slowly). */
export function useReleaseHealth(filters: HealthFilters) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return useQuery({
    queryKey: releaseHealthKey(filters),
    queryFn: ({ signal }) => fetchJson(`/api/release-health?${params.toString()}`, ZReleaseHealth, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}
