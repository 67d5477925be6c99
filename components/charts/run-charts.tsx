"use client";
import { useMemo, type ReactNode } from "react";
import type { AnalysisConfig } from "@/server/core/analysis/triggers";
import { WhenVisible } from "@/components/ui/when-visible";
import { ChartsLoading } from "./chart-frame";
import type { ChartRow, Quantile, RollingTotals, StepMarker } from "./chart-rows";
import { ErrorRateChart } from "./error-rate-chart";
import { LatencyChart, type LatencyThreshold } from "./latency-chart";
import { ResourcesChart } from "./resources-chart";
import { errorThresholds, gaugeThresholds } from "./thresholds";
import { TrafficChart } from "./traffic-chart";

/**
 * The four baseline-versus-canary charts of the run page. Recharts is most of the run page's
 * JavaScript, so this module is loaded on its own (next/dynamic in live-metrics.tsx) once there
 * are metrics to draw, not with the page.
 */
export default function RunCharts(props: {
  rows: ChartRow[];
  markers: StepMarker[];
  latest: { baseline: RollingTotals; canary: RollingTotals };
  config: AnalysisConfig;
  latencyThresholds: Partial<Record<Quantile, LatencyThreshold>>;
  canaryPercent: number;
  /** the metric history is still on its way: the charts show their frames, saying so */
  loading?: boolean;
}) {
  const { rows, markers, latest, config, latencyThresholds, canaryPercent, loading = false } = props;
  const errors = useMemo(() => errorThresholds(config), [config]);
  const gauges = useMemo(() => gaugeThresholds(config), [config]);
  // Each chart redraws only while on screen (WhenVisible), one after the other; one scrolled away
  // catches up on return. Whether the history is still loading goes with each chart's points
  // (inside the lag), so a chart never says "nothing measured" while its points are on their way.
  const loadingOr = (chart: ReactNode) => <ChartsLoading value={loading}>{chart}</ChartsLoading>;
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      <WhenVisible className="min-w-0">{loadingOr(<LatencyChart rows={rows} markers={markers} thresholds={latencyThresholds} />)}</WhenVisible>
      <WhenVisible className="min-w-0" lagMs={250}>
        {loadingOr(<ErrorRateChart rows={rows} markers={markers} thresholds={errors} latest={latest} />)}
      </WhenVisible>
      <WhenVisible className="min-w-0" lagMs={500}>
        {loadingOr(<TrafficChart rows={rows} markers={markers} latest={latest} canaryPercent={canaryPercent} />)}
      </WhenVisible>
      <WhenVisible className="min-w-0" lagMs={750}>
        {loadingOr(<ResourcesChart rows={rows} markers={markers} thresholds={gauges} />)}
      </WhenVisible>
    </div>
  );
}
