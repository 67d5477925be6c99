"use client";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { count, percent } from "@/server/core/analysis/format";
import type { ChartRow, RollingTotals, StepMarker } from "./chart-rows";
import { CHART_MARGIN, CHART_STYLE, ChartFigure, MARKER_LEGEND, markerLines, timeAxis, tooltipTime, VALUE_AXIS, type LegendItem } from "./chart-frame";

/** The error-rate trigger's two levels, as rates (procedure: 1% rolls back, 0.1% holds for a human). */
export type ErrorThresholds = { rollbackAbove: number; holdAbove: number | null };

function pct(value: number): string {
  return percent(value / 100);
}

function sideText(name: string, t: RollingTotals): string {
  return t.requests > 0 ? `${name} ${percent(t.errors / t.requests)} (${count(t.errors)} of ${count(t.requests)})` : `${name} no requests`;
}

/** Baseline vs canary error rate (rolling 10 s), against the rollback and hold levels. */
export function ErrorRateChart({
  rows,
  markers,
  thresholds,
  latest,
}: {
  rows: ChartRow[];
  markers: StepMarker[];
  thresholds: ErrorThresholds;
  /** the last 10 s per side, for the text summary */
  latest: { baseline: RollingTotals; canary: RollingTotals };
}) {
  const levels = `Roll back above ${percent(thresholds.rollbackAbove)}${thresholds.holdAbove !== null ? `, hold for a human above ${percent(thresholds.holdAbove)}` : ""}.`;
  const summary = rows.length > 0 ? `Error rate over the last 10 s: ${sideText("baseline", latest.baseline)}, ${sideText("canary", latest.canary)}. ${levels}` : "No requests measured yet.";
  const legend: LegendItem[] = [
    { label: "Baseline", ...CHART_STYLE.baseline },
    { label: "Canary", ...CHART_STYLE.canary },
    { label: `Roll back above ${percent(thresholds.rollbackAbove)}`, stroke: CHART_STYLE.rollback, strokeDasharray: "4 2" },
    ...(thresholds.holdAbove !== null ? [{ label: `Hold above ${percent(thresholds.holdAbove)}`, stroke: CHART_STYLE.hold, strokeDasharray: "1 3" }] : []),
    ...(markers.length > 0 ? [MARKER_LEGEND] : []),
  ];
  return (
    <ChartFigure
      title="Error rate"
      description={`Errors per request, rolling 10 s, in %. ${levels} Canary dashed.`}
      summary={summary}
      hasData={rows.length > 0}
      legend={legend}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={CHART_MARGIN} title="Error rate, baseline vs canary">
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis {...timeAxis(rows)} />
          <YAxis {...VALUE_AXIS} width={56} tickFormatter={pct} />
          <Tooltip labelFormatter={tooltipTime} formatter={(v) => (typeof v === "number" ? pct(v) : String(v))} />
          {markerLines(markers, rows).map(({ key, ...line }) => (
            <ReferenceLine key={key} {...line} />
          ))}
          <ReferenceLine y={thresholds.rollbackAbove * 100} stroke={CHART_STYLE.rollback} strokeDasharray="4 2" ifOverflow="extendDomain" />
          {thresholds.holdAbove !== null ? <ReferenceLine y={thresholds.holdAbove * 100} stroke={CHART_STYLE.hold} strokeDasharray="1 3" ifOverflow="extendDomain" /> : null}
          <Line name="Baseline" dataKey="baselineErrorPct" {...CHART_STYLE.baseline} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line name="Canary" dataKey="canaryErrorPct" {...CHART_STYLE.canary} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
