"use client";
import { useMemo } from "react";
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { count, evidence, percent } from "@/server/core/analysis/format";
import { focusDomain, readBand } from "@/server/core/analysis/evidence-band";
import type { EvidenceSeriesWire } from "@/server/contracts/analysis-history-api";
import { triggerName } from "@/components/analysis/evaluations";
import { CHART_MARGIN, CHART_STYLE, clockTime, timeAxis, tooltipTime, VALUE_AXIS } from "./chart-frame";
import { DrawWhenSeen } from "./draw-when-seen";
import { AXIS_LABEL, bandSummary, firedWord, plotted, thresholdText } from "./difference-text";

const PANEL_HEIGHT = 180;
const BAND_FILL = "#bfdbfe"; // blue-200: the band is context; the line and the text carry the reading

function figure(value: number | null | undefined, show: (v: number) => string): string {
  return value === null || value === undefined ? "—" : show(value);
}

/** The latest point's raw numbers, one click away (STATISTICS.md "Keep the raw numbers"). */
function LatestNumbers({ series }: { series: EvidenceSeriesWire }) {
  const p = series.points.at(-1);
  if (!p) return null;
  const rows: [string, string][] = [
    ["Evaluated", clockTime(p.at)],
    ["n (since the step began)", count(p.n)],
    ["k (bad)", count(p.k)],
    ["Observed k / n", figure(p.observedRate, percent)],
    ["Window since the likeliest change", p.windowSince === null ? "—" : `${figure(p.windowRate, percent)} since ${clockTime(p.windowSince)}`],
    ["Threshold p0", figure(p.p0, percent)],
    ["Baseline", figure(p.baselineFigure, (v) => (series.trigger.startsWith("latency") ? `${count(v)} ms` : percent(v)))],
    ["E (change detector)", figure(p.logE, evidence)],
    ["log E vs log 1/α", p.logE === null || p.logThreshold === null ? "—" : `${p.logE.toFixed(2)} vs ${p.logThreshold.toFixed(2)}`],
    ["α", figure(p.alpha, (v) => String(Number(v.toPrecision(2))))],
    ["Lower bound", figure(p.lowerBound, percent)],
    ["Upper bound", figure(p.upperBound, percent)],
  ];
  return (
    <details className="text-xs text-slate-800">
      <summary className="cursor-pointer font-medium text-slate-900">Numbers</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-700">{term}</dt>
            <dd className="font-mono">{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/**
 * One test over a step: the plotted figure (canary − baseline, or the canary's slow share), its
 * anytime-valid band shaded, the threshold dashed, and a labelled line where the test fired.
 */
export function DifferencePanel({ series }: { series: EvidenceSeriesWire }) {
  const reading = useMemo(() => readBand(series.trigger, series.level, series.points), [series]);
  const rows = reading.rows;
  const latest = series.points.at(-1);
  const summary = bandSummary(reading, latest);
  const thresholdColour = series.level === "rollback" ? CHART_STYLE.rollback : CHART_STYLE.hold;
  const show = (v: number) => plotted(reading.plot, v);
  const name = triggerName(series.trigger);
  return (
    <figure className="min-w-0 space-y-2 rounded-md border border-slate-200 p-3" data-testid={`difference-${series.trigger}`}>
      <figcaption>
        <span className="block text-sm font-semibold text-slate-900">{name}</span>
        <span className="block text-xs text-slate-700">
          {AXIS_LABEL[reading.plot]}, since the step began, with its band; dashed: {thresholdText(reading.plot, latest?.p0 ?? null)}
          {reading.plot === "errorDifference" ? " less the baseline's error rate" : reading.plot === "conversionDifference" ? " less the baseline's conversion" : ""}.
        </span>
      </figcaption>
      <DrawWhenSeen height={PANEL_HEIGHT}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={rows} margin={CHART_MARGIN} title={`${name}: ${AXIS_LABEL[reading.plot]} with its confidence band`}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis {...timeAxis(rows)} />
            <YAxis {...VALUE_AXIS} width={64} tickFormatter={show} domain={focusDomain(reading)} allowDataOverflow />
            <Tooltip labelFormatter={tooltipTime} formatter={(v) => (Array.isArray(v) ? v.map((x) => (typeof x === "number" ? show(x) : "—")).join(" to ") : typeof v === "number" ? show(v) : String(v))} />
            <Area name="Band" dataKey="band" stroke="none" fill={BAND_FILL} fillOpacity={0.8} isAnimationActive={false} connectNulls={false} />
            <Line name="Threshold" dataKey="threshold" type="stepAfter" stroke={thresholdColour} strokeDasharray="4 2" strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line name="Canary" dataKey="value" stroke={CHART_STYLE.canary.stroke} strokeWidth={2} dot={false} isAnimationActive={false} />
            {reading.fired ? (
              <ReferenceLine
                x={reading.fired.at}
                stroke={CHART_STYLE.marker}
                strokeDasharray="2 4"
                label={{ value: `${firedWord(reading.fired.verdict)} ${clockTime(reading.fired.at)}`, position: "insideTopLeft", fill: CHART_STYLE.marker, fontSize: 11 }}
              />
            ) : null}
          </ComposedChart>
        </ResponsiveContainer>
      </DrawWhenSeen>
      <p className="text-sm text-slate-900" data-testid="difference-summary">
        {summary}
      </p>
      <LatestNumbers series={series} />
    </figure>
  );
}
