"use client";
import { Area, AreaChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { percent } from "@/server/core/analysis/format";
import type { ChartRow, RollingTotals, StepMarker } from "./chart-rows";
import { CHART_MARGIN, CHART_STYLE, ChartFigure, MARKER_LEGEND, markerLines, timeAxis, tooltipTime, VALUE_AXIS, type LegendItem } from "./chart-frame";

function perSecond(value: number): string {
  return `${Number(value.toPrecision(3))}/s`;
}

function rate(t: RollingTotals): number {
  return t.spanMs > 0 ? (1000 * t.requests) / t.spanMs : 0;
}

/** Requests per second on each side, stacked: the canary's band is its share of the traffic. */
export function TrafficChart({
  rows,
  markers,
  latest,
  canaryPercent,
}: {
  rows: ChartRow[];
  markers: StepMarker[];
  /** the last 10 s per side, for the text summary */
  latest: { baseline: RollingTotals; canary: RollingTotals };
  /** the weight the router was last set to */
  canaryPercent: number;
}) {
  const total = latest.baseline.requests + latest.canary.requests;
  const share = total > 0 ? `${percent(latest.canary.requests / total)} of requests on the canary` : "no requests";
  const summary =
    rows.length > 0
      ? `Last 10 s: baseline ${perSecond(rate(latest.baseline))}, canary ${perSecond(rate(latest.canary))} — ${share} (router weight ${canaryPercent}%).`
      : "No requests measured yet.";
  const legend: LegendItem[] = [
    { label: "Baseline", ...CHART_STYLE.baseline },
    { label: "Canary", ...CHART_STYLE.canary },
    ...(markers.length > 0 ? [MARKER_LEGEND] : []),
  ];
  return (
    <ChartFigure
      title="Traffic"
      description={`Requests per second, rolling 10 s, stacked: baseline below, canary (dashed) on top. Router weight ${canaryPercent}% canary.`}
      summary={summary}
      hasData={rows.length > 0}
      legend={legend}
    >
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={CHART_MARGIN} title="Requests per second, baseline and canary">
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis {...timeAxis(rows)} />
          <YAxis {...VALUE_AXIS} width={56} tickFormatter={perSecond} />
          <Tooltip labelFormatter={tooltipTime} formatter={(v) => (typeof v === "number" ? perSecond(v) : String(v))} />
          {markerLines(markers, rows).map(({ key, ...line }) => (
            <ReferenceLine key={key} {...line} />
          ))}
          <Area
            name="Baseline"
            dataKey="baselineRps"
            stackId="traffic"
            {...CHART_STYLE.baseline}
            fill={CHART_STYLE.baseline.stroke}
            fillOpacity={0.15}
            strokeWidth={2}
            connectNulls
            isAnimationActive={false}
          />
          <Area
            name="Canary"
            dataKey="canaryRps"
            stackId="traffic"
            {...CHART_STYLE.canary}
            fill={CHART_STYLE.canary.stroke}
            fillOpacity={0.25}
            strokeWidth={2}
            connectNulls
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
