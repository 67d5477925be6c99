"use client";
import type { AnalysisConfig } from "@/server/core/analysis/triggers";
import type { ChartRow, RollingTotals, StepMarker } from "./chart-rows";
import { ErrorRateChart } from "./error-rate-chart";
import { LatencyChart } from "./latency-chart";
import { ResourcesChart } from "./resources-chart";
import { errorThresholds, gaugeThresholds, latencyThresholds } from "./thresholds";
import { TrafficChart } from "./traffic-chart";
import type { AnalysisRecord, MetricPoint } from "./metrics-cache";

/**
 * The four baseline-versus-canary charts of the run page. Recharts is most of the run page's
 * JavaScript, so this module is loaded on its own (next/dynamic in live-metrics.tsx) once there
 * are metrics to draw, not with the page.
 */
export default function RunCharts(props: {
  rows: ChartRow[];
  markers: StepMarker[];
  points: MetricPoint[];
  latest: { baseline: RollingTotals; canary: RollingTotals };
  config: AnalysisConfig;
  analysis: AnalysisRecord | null;
  canaryPercent: number;
}) {
  const { rows, markers, points, latest, config, analysis, canaryPercent } = props;
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      <LatencyChart rows={rows} markers={markers} thresholds={latencyThresholds(config, analysis, points)} />
      <ErrorRateChart rows={rows} markers={markers} thresholds={errorThresholds(config)} latest={latest} />
      <TrafficChart rows={rows} markers={markers} latest={latest} canaryPercent={canaryPercent} />
      <ResourcesChart rows={rows} markers={markers} thresholds={gaugeThresholds(config)} />
    </div>
  );
}
