import { errorRateTrigger, type AnalysisConfig, type GaugeTrigger } from "@/server/core/analysis/triggers";
import type { AnalysisRecord, MetricPoint } from "./metrics-cache";
import { latestQuantile, type Quantile } from "./chart-rows";
import type { ErrorThresholds } from "./error-rate-chart";
import type { LatencyThreshold } from "./latency-chart";
import type { GaugeThreshold } from "./resources-chart";

/** The error-rate levels the run is judged by (its config; the procedure's 1% / 0.1% without one). */
export function errorThresholds(config: AnalysisConfig): ErrorThresholds {
  const trigger = config.triggers.find((t) => t.kind === "errorRate") ?? errorRateTrigger();
  return { rollbackAbove: trigger.rollbackAbove, holdAbove: trigger.holdAbove };
}

/**
 * Each watched quantile's rollback line: factor × the baseline's quantile. The baseline figure is
 * the one the analysis used (its whole-step sketch); before any evaluation, the latest window's.
 */
export function latencyThresholds(config: AnalysisConfig, analysis: AnalysisRecord | null, points: readonly MetricPoint[]): Partial<Record<Quantile, LatencyThreshold>> {
  const out: Partial<Record<Quantile, LatencyThreshold>> = {};
  for (const t of config.triggers) {
    if (t.kind !== "latency") continue;
    const q: Quantile = t.quantile === 0.95 ? "p95" : "p99";
    const evaluated = analysis?.evaluations.find((e) => e.trigger === `latency-${q}`);
    const fromAnalysis = evaluated?.method === "e-process" ? evaluated.baselineFigure : null;
    const baselineMs = fromAnalysis ?? latestQuantile(points, "baseline", q);
    if (baselineMs !== null) out[q] = { baselineMs, factor: t.factor };
  }
  return out;
}

/** The CPU and memory rules the run is judged by; null for a gauge no trigger watches. */
export function gaugeThresholds(config: AnalysisConfig): Record<GaugeTrigger["resource"], GaugeThreshold | null> {
  const rule = (resource: GaugeTrigger["resource"]): GaugeThreshold | null => {
    const t = config.triggers.find((x): x is GaugeTrigger => x.kind === "gauge" && x.resource === resource);
    return t ? { limitPercent: t.limitPercent, consecutive: t.consecutive } : null;
  };
  return { cpu: rule("cpu"), memory: rule("memory") };
}
