"use client";
import { isWatched } from "@/server/core/run-summary";
import dynamic from "next/dynamic";
import { memo, useDeferredValue, useMemo } from "react";
import type { AnalysisConfig } from "@/server/core/analysis/triggers";
import { markersWithin, rollingTotals, stepMarkers, toChartRows } from "@/components/charts/chart-rows";
import { latencyThresholds } from "@/components/charts/thresholds";
import { useRunAnalysis, useRunMetrics } from "@/components/charts/use-run-metrics";
import { QueryError } from "@/components/query/query-error";
import type { CachedRun } from "@/components/runs/run-queries";
import { Card } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { useThrottled } from "@/components/ui/use-throttled";
import { EvidencePanel } from "./evidence-panel";
import { EvidenceHistory } from "./evidence-history";
import { RollbackWhy } from "./rollback-why";

// Recharts is most of the run page's JavaScript: the charts load on their own, once there is data.
// Memoised: a render for anything else on the page (a countdown, an event) leaves the charts alone.
const RunCharts = memo(
  dynamic(() => import("@/components/charts/run-charts"), {
    ssr: false,
    loading: () => <ChartsPlaceholder label="Loading charts…" />,
  }),
);

const NO_POINTS: never[] = [];

// Points arrive every second; the charts redraw at most this often (the evidence beside them
// still updates with each evaluation). A redraw of four charts costs tens of milliseconds of
// main thread, and a page that is never idle is slow to use on a loaded laptop.
const CHART_REDRAW_MS = 2_000;

/** The charts' place while they load, as tall as they will be: nothing under them jumps when they arrive. */
function ChartsPlaceholder({ label }: { label: string }) {
  return (
    <div className="min-h-[1260px] xl:min-h-[630px]">
      <SkeletonRows rows={3} label={label} />
    </div>
  );
}

/** The same value as last time when it reads the same: memoised children below are not redrawn for a copy. */
function useStableValue<T>(value: T): T {
  const key = JSON.stringify(value);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is the value's content
  return useMemo(() => value, [key]);
}

/**
 * "Live metrics": baseline vs canary charts and the analysis's evidence, for runs an automated
 * analysis watches. A manual router has no metric source, and the page says so.
 */
export function LiveMetrics({ run }: { run: CachedRun }) {
  const { params } = run.state;
  const config = isWatched(run.state) ? (params.analysis ?? null) : null;
  if (!config) {
    return (
      <Card title="Live metrics" id="live-metrics">
        <p className="text-sm text-slate-700">No automated analysis: the {params.router} router has no metric source.</p>
      </Card>
    );
  }
  return <LiveMetricsBody run={run} config={config} />;
}

function LiveMetricsBody({ run, config }: { run: CachedRun; config: AnalysisConfig }) {
  const { state } = run;
  const metrics = useRunMetrics(run.id);
  const liveAnalysis = useRunAnalysis(run.id).data ?? null;
  // A point and an evaluation arrive every second: the charts redraw as a deferred (interruptible)
  // render, so the page stays responsive, and idle between points, on a slow or busy machine.
  const points = useDeferredValue(useThrottled(metrics.data ?? NO_POINTS, CHART_REDRAW_MS));
  const analysis = useDeferredValue(liveAnalysis);
  const rows = useMemo(() => toChartRows(points), [points]);
  // The latency chart's thresholds come from the evaluation (every second) but rarely change.
  const thresholds = useStableValue(useMemo(() => latencyThresholds(config, analysis, points), [config, analysis, points]));
  const allMarkers = useMemo(() => stepMarkers(run.decisions), [run.decisions]);
  const markers = useMemo(() => markersWithin(allMarkers, rows), [allMarkers, rows]);
  const latest = useMemo(() => ({ baseline: rollingTotals(points, "baseline"), canary: rollingTotals(points, "canary") }), [points]);
  const notStarted = state.stepIndex < 0 && points.length === 0;

  return (
    <Card title="Live metrics" id="live-metrics">
      <div className="space-y-4">
        <RollbackWhy state={state} />
        {metrics.isError ? <QueryError error={metrics.error} onRetry={() => void metrics.refetch()} stale={metrics.data !== undefined} /> : null}
        {notStarted ? (
          <p className="text-sm text-slate-700">Metrics start once the rollout sends traffic to the canary.</p>
        ) : metrics.data === undefined && metrics.isError ? null : (
          // Drawn before the history is here (each chart's frame says it is loading): the captions
          // and the layout are on screen at once instead of after the history's round trip.
          <RunCharts rows={rows} markers={markers} latest={latest} config={config} latencyThresholds={thresholds} canaryPercent={state.canaryPercent} loading={points === NO_POINTS} />
        )}
        {/* Until the fetch answers, "no evaluation yet" might not be true. */}
        {analysis || metrics.isSuccess ? <EvidencePanel state={state} analysis={analysis} /> : null}
        {analysis ? <EvidenceHistory runId={run.id} state={state} /> : null}
      </div>
    </Card>
  );
}
