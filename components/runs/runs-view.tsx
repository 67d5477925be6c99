"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCan } from "@/components/auth/session-context";
import { QueryError } from "@/components/query/query-error";
import { useRunsEvents } from "@/components/realtime/use-run-events";
import { buttonClasses } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { RunsFilters } from "./runs-filters";
import { RunsTable } from "./runs-table";
import { useRuns, useServices, type RunFilters } from "./run-queries";

/** The runs list: filters in the URL, live via the runs room. */
export function RunsView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const canCreate = useCan("run.create");
  const filters: RunFilters = {
    service: params.get("service") ?? undefined,
    environment: params.get("environment") ?? undefined,
    status: params.get("status") ?? undefined,
  };
  const runs = useRuns(filters);
  const services = useServices();
  useRunsEvents();

  const setFilters = (next: RunFilters) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) qs.set(k, v);
    router.replace(qs.size > 0 ? `${pathname}?${qs.toString()}` : pathname, { scroll: false });
  };
  const filtered = Boolean(filters.service || filters.environment || filters.status);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold text-slate-900">Runs</h1>
        {canCreate ? (
          <Link href="/runs/new" className={buttonClasses("primary")}>
            New run
          </Link>
        ) : null}
      </div>
      <RunsFilters filters={filters} services={services.data ?? []} onChange={setFilters} />
      {runs.isError ? <QueryError error={runs.error} onRetry={() => void runs.refetch()} stale={runs.data !== undefined} /> : null}
      {runs.isPending ? (
        <SkeletonRows rows={6} label="Loading runs…" />
      ) : runs.data && runs.data.length > 0 ? (
        <RunsTable runs={runs.data} />
      ) : runs.data ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
          <h2 className="text-lg font-semibold text-slate-900">{filtered ? "No runs match these filters" : "No runs yet"}</h2>
          <p className="mt-1 text-sm text-slate-700">
            {filtered ? "Try another service, environment or status." : "A run takes a release through checks, approval, rollout and verification."}
          </p>
          {filtered ? (
            <button type="button" onClick={() => setFilters({})} className={`${buttonClasses("secondary")} mt-4`}>
              Clear filters
            </button>
          ) : canCreate ? (
            <Link href="/runs/new" className={`${buttonClasses("primary")} mt-4`}>
              New run
            </Link>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
