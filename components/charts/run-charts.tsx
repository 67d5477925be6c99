"use client";
import { useMemo } from "react";
import type { AnalysisConfig } from "@/server/core/analysis/triggers";
import { WhenVisible } from "@/components/ui/when-visible";
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
}) {
  const { rows, markers, latest, config, latencyThresholds, canaryPercent } = props;
  const errors = useMemo(() => errorThresholds(config), [config]);
  const gauges = useMemo(() => gaugeThresholds(config), [config]);
  // Each chart redraws only while on screen (WhenVisible), one after the other; one scrolled away catches up on return.
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      <WhenVisible className="min-w-0">
        <LatencyChart rows={rows} markers={markers} thresholds={latencyThresholds} />
      </WhenVisible>
      <WhenVisible className="min-w-0" lagMs={250}>
        <ErrorRateChart rows={rows} markers={markers} thresholds={errors} latest={latest} />
      </WhenVisible>
      <WhenVisible className="min-w-0" lagMs={500}>
        <TrafficChart rows={rows} markers={markers} latest={latest} canaryPercent={canaryPercent} />
      </WhenVisible>
      <WhenVisible className="min-w-0" lagMs={750}>
        <ResourcesChart rows={rows} markers={markers} thresholds={gauges} />
      </WhenVisible>
    </div>
  );
}
