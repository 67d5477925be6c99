"use client";
import { useId, useState } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ms } from "@/server/core/analysis/format";
import type { ChartRow, Quantile, StepMarker } from "./chart-rows";
import { CHART_MARGIN, CHART_STYLE, ChartFigure, MARKER_LEGEND, markerLines, timeAxis, tooltipTime, VALUE_AXIS, type LegendItem } from "./chart-frame";

const QUANTILES: readonly Quantile[] = ["p50", "p95", "p99"];
const KEY = { p50: "P50", p95: "P95", p99: "P99" } as const;

/** What one quantile's rollback rule says: slower than factor × the baseline's (no rule for p50). */
export type LatencyThreshold = { baselineMs: number; factor: number };

function show(value: number | null): string {
  return value === null ? "no data" : ms(value);
}

/**
 * Baseline vs canary latency over time for one quantile at a time (six lines at once are
 * unreadable), with the rollback threshold of that quantile's trigger.
 */
export function LatencyChart({
  rows,
  markers,
  thresholds,
}: {
  rows: ChartRow[];
  markers: StepMarker[];
  /** per quantile, the rule's threshold; absent when no trigger watches it or the baseline has no data */
  thresholds: Partial<Record<Quantile, LatencyThreshold>>;
}) {
  const [quantile, setQuantile] = useState<Quantile>("p95");
  const name = useId();
  const baselineKey = `baseline${KEY[quantile]}` as const;
  const canaryKey = `canary${KEY[quantile]}` as const;
  const rule = thresholds[quantile];
  const thresholdMs = rule ? rule.factor * rule.baselineMs : null;
  const last = rows.at(-1);
  const summary = last
    ? `Latest ${quantile}: baseline ${show(last[baselineKey])}, canary ${show(last[canaryKey])}. ` +
      (rule && thresholdMs !== null
        ? `Rollback threshold ${ms(thresholdMs)} (${rule.factor} × baseline ${quantile} ${ms(rule.baselineMs)}).`
        : `No rollback threshold for ${quantile}.`)
    : "No latency measured yet.";

  const legend: LegendItem[] = [
    { label: `Baseline ${quantile}`, ...CHART_STYLE.baseline },
    { label: `Canary ${quantile}`, ...CHART_STYLE.canary },
    ...(rule && thresholdMs !== null ? [{ label: `Roll back above ${ms(thresholdMs)}`, stroke: CHART_STYLE.rollback, strokeDasharray: "4 2" }] : []),
    ...(markers.length > 0 ? [MARKER_LEGEND] : []),
  ];

  const picker = (
    <fieldset className="flex flex-wrap items-center gap-3 text-sm text-slate-900">
      <legend className="sr-only">Quantile shown</legend>
      {QUANTILES.map((q) => (
        <label key={q} className="inline-flex items-center gap-1">
          <input type="radio" name={name} value={q} checked={quantile === q} onChange={() => setQuantile(q)} className="accent-blue-700" />
          {q}
        </label>
      ))}
    </fieldset>
  );

  return (
    <ChartFigure
      title="Latency"
      description={`${quantile} of each window (10 s stored, 1 s live), in ms. Canary dashed.`}
      summary={summary}
      hasData={rows.length > 0}
      legend={legend}
      controls={picker}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={CHART_MARGIN} title={`Latency ${quantile}, baseline vs canary`}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis {...timeAxis(rows)} />
          <YAxis {...VALUE_AXIS} width={64} tickFormatter={(v: number) => ms(v)} />
          <Tooltip labelFormatter={tooltipTime} formatter={(v) => (typeof v === "number" ? ms(v) : String(v))} />
          {markerLines(markers, rows).map(({ key, ...line }) => (
            <ReferenceLine key={key} {...line} />
          ))}
          {rule && thresholdMs !== null ? (
            <ReferenceLine y={thresholdMs} stroke={CHART_STYLE.rollback} strokeDasharray="4 2" ifOverflow="extendDomain" />
          ) : null}
          <Line name={`Baseline ${quantile}`} dataKey={baselineKey} {...CHART_STYLE.baseline} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line name={`Canary ${quantile}`} dataKey={canaryKey} {...CHART_STYLE.canary} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
