"use client";
import dynamic from "next/dynamic";
import { useDeferredValue, useId, useState } from "react";
import type { RunState } from "@/server/core/types";
import { count } from "@/server/core/analysis/format";
import { QueryError } from "@/components/query/query-error";
import { SkeletonRows } from "@/components/ui/skeleton";
import { WhenVisible } from "@/components/ui/when-visible";
import { useAnalysisHistory } from "./use-analysis-history";

// Recharts stays out of the run page's first load (200 KB budget): the panels load on their own.
const DifferenceCharts = dynamic(() => import("@/components/charts/difference-charts"), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading the difference charts…" />,
});

function stepLabel(state: RunState, index: number): string {
  return state.steps[index]?.label ?? `Step ${index + 1}`;
}

/**
 * "Over time": per test, canary − baseline with its anytime-valid band and the threshold, for
 * the latest evaluated step or one picked from the steps that were evaluated.
 */
export function EvidenceHistory({ runId, state }: { runId: string; state: RunState }) {
  const [picked, setPicked] = useState<number | null>(null);
  const history = useAnalysisHistory(runId, picked);
  const pickerId = useId();
  // Refetched every few seconds while the analysis runs, and the cache's update renders at once
  // and in one piece (React Query reads it through a store): the charts redraw from a deferred
  // copy instead, a render React slices so that it never blocks the page for long.
  const data = useDeferredValue(history.data);
  const shown = data?.stepIndex ?? null;
  return (
    <section aria-labelledby={`${pickerId}-title`} className="space-y-3" data-testid="evidence-history">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h4 id={`${pickerId}-title`} className="text-sm font-semibold text-slate-900">
          Over time: canary against the threshold{shown !== null ? `, ${stepLabel(state, shown)}` : ""}
        </h4>
        {data && data.steps.length > 1 ? (
          <label className="flex items-center gap-2 text-sm text-slate-900">
            Step
            <select
              className="rounded border border-slate-400 bg-white px-2 py-1 text-sm"
              value={picked === null ? "latest" : String(picked)}
              onChange={(e) => setPicked(e.target.value === "latest" ? null : Number(e.target.value))}
            >
              <option value="latest">Latest evaluated</option>
              {data.steps.map((s) => (
                <option key={s} value={s}>
                  {stepLabel(state, s)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {history.isError ? <QueryError error={history.error} onRetry={() => void history.refetch()} stale={data !== undefined} /> : null}
      {data === undefined ? (
        history.isError ? null : <SkeletonRows rows={2} label="Loading the analysis history…" />
      ) : data.series.length === 0 ? (
        <p className="text-sm text-slate-700">No evaluations stored for this step yet.</p>
      ) : (
        <>
          <p className="text-xs text-slate-700">
            Each band is an anytime-valid confidence band on the canary since the step began: a regression is called when it leaves the safe
            side of the threshold, health when it lies wholly inside it. {count(data.stored)} evaluation{data.stored === 1 ? "" : "s"} stored for
            this step{data.stored > (data.series[0]?.points.length ?? 0) ? `, ${count(data.series[0]?.points.length ?? 0)} drawn` : ""}.
          </p>
          {/* Refetched every few seconds while the analysis runs: redrawn only while on screen. */}
          <WhenVisible>
            <DifferenceCharts series={data.series} />
          </WhenVisible>
        </>
      )}
    </section>
  );
}
