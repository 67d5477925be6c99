"use client";
import dynamic from "next/dynamic";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { QueryError } from "@/components/query/query-error";
import { SkeletonRows } from "@/components/ui/skeleton";
import { HEALTH_PERIODS, type HealthPeriodChoice } from "@/server/contracts/release-health-api";
import { utcInstant } from "./format";
import { HealthDefinitions } from "./health-definitions";
import { HealthFigures } from "./health-figures";
import { HealthFiltersBar } from "./health-filters";
import { useReleaseHealth, type HealthFilters } from "./health-queries";

// Recharts is loaded only on this page and after the figures, not with the dashboard's bundle.
const HealthCharts = dynamic(() => import("./health-charts"), { ssr: false, loading: () => <SkeletonRows rows={3} label="Loading charts…" /> });

const DAY_MS = 86_400_000;

const periodOf = (v: string | null): HealthPeriodChoice => ((HEALTH_PERIODS as readonly string[]).includes(v ?? "") ? (v as HealthPeriodChoice) : "30d");

/** Release health for stakeholders: DORA-style figures, weekly charts and their definitions; filters in the URL. */
export function ReleaseHealthView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters: HealthFilters = {
    service: params.get("service") ?? undefined,
    environment: params.get("environment") ?? undefined,
    period: periodOf(params.get("period")),
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
  };
  const health = useReleaseHealth(filters);

  const setFilters = (next: HealthFilters) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v && !(k === "period" && v === "30d")) qs.set(k, v);
    router.replace(qs.size > 0 ? `${pathname}?${qs.toString()}` : pathname, { scroll: false });
  };

  const data = health.data;
  const scope = data ? `${data.service ? data.service.name : "All services"} · ${data.environment ?? "all environments"}` : null;

  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Release health</h1>
        <p className="mt-1 text-sm text-slate-700">How often releases reach production, how fast, how often they fail and how quickly service is restored — computed from runs.</p>
      </div>
      <HealthFiltersBar filters={filters} services={data?.services ?? []} onChange={setFilters} />
      {health.isError ? <QueryError error={health.error} onRetry={() => void health.refetch()} stale={data !== undefined} /> : null}
      {health.isPending ? (
        <SkeletonRows rows={4} label="Loading release health…" />
      ) : data ? (
        <>
          <p className="text-sm text-slate-800" aria-live="polite" data-testid="health-scope">
            <span className="font-medium">{scope}</span>,{" "}
            {data.period.choice === "custom"
              ? `${utcInstant(data.period.from)} to ${utcInstant(new Date(Date.parse(data.period.to) - DAY_MS).toISOString())}, both days included (UTC).`
              : `${utcInstant(data.period.from)} to ${utcInstant(data.period.to)} UTC.`}
          </p>
          <HealthFigures health={data} />
          <section aria-labelledby="health-trends" className="space-y-3">
            <h2 id="health-trends" className="text-lg font-semibold text-slate-900">
              Week by week
            </h2>
            <HealthCharts weeks={data.weeks} />
          </section>
          <HealthDefinitions />
        </>
      ) : null}
    </div>
  );
}
