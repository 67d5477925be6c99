"use client";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { latestGauge, type ChartRow, type StepMarker } from "./chart-rows";
import { DrawWhenSeen } from "./draw-when-seen";
import { CHART_HEIGHT, CHART_MARGIN, CHART_STYLE, ChartFigure, MARKER_LEGEND, markerLines, timeAxis, tooltipTime, VALUE_AXIS, type LegendItem } from "./chart-frame";

/** A gauge's rollback rule: above limitPercent of the environment's limit for `consecutive` samples. */
export type GaugeThreshold = { limitPercent: number; consecutive: number };

type Resource = "cpu" | "memory";
const KEY = { cpu: "CpuPct", memory: "MemoryPct" } as const;
const NAME = { cpu: "CPU", memory: "Memory" } as const;

/** Without a rule the environment's limit itself is still drawn, in a neutral style (nothing rolls back on it). */
const LIMIT_PERCENT = 100;
const RULE_LINE = { stroke: CHART_STYLE.rollback, strokeDasharray: "4 2" } as const;
const PLAIN_LIMIT_LINE = { stroke: CHART_STYLE.marker, strokeDasharray: "1 3" } as const;
// Each small chart keeps room for its heading inside the usual chart height.
const PANEL_HEADING_PX = 20;

/** Percent of the limit: whole numbers from 10% (so 103% never reads as "100%"), one decimal below. */
function pct(value: number): string {
  return `${value >= 10 ? Math.round(value) : Number(value.toFixed(1))}%`;
}

function show(value: number | null): string {
  return value === null ? "no sample yet" : pct(value);
}

function ruleText(rule: GaugeThreshold): string {
  return `limit ${pct(rule.limitPercent)}: ${rule.consecutive} consecutive samples above roll back`;
}

function limitLegend(resource: Resource | null, rule: GaugeThreshold | null): LegendItem {
  const what = resource === null ? "Limit" : `${NAME[resource]} limit`;
  return rule
    ? { label: `${what} ${pct(rule.limitPercent)}: ${rule.consecutive} consecutive samples above roll back`, ...RULE_LINE }
    : { label: `${what} ${pct(LIMIT_PERCENT)} (no rollback rule)`, ...PLAIN_LIMIT_LINE };
}

function sameRule(a: GaugeThreshold | null, b: GaugeThreshold | null): boolean {
  return a === b || (a !== null && b !== null && a.limitPercent === b.limitPercent && a.consecutive === b.consecutive);
}

/** A shared 0-based scale for both small charts, always showing the limit: comparable at a glance. */
function valueScale(rows: readonly ChartRow[], limits: readonly number[]): { top: number; ticks: number[] } {
  let max = Math.max(...limits);
  for (const row of rows) {
    for (const value of [row.baselineCpuPct, row.canaryCpuPct, row.baselineMemoryPct, row.canaryMemoryPct]) {
      if (value !== null && value > max) max = value;
    }
  }
  const step = max <= 150 ? 25 : max <= 300 ? 50 : 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

function samples(rows: readonly ChartRow[], key: keyof ChartRow): number {
  return rows.reduce((n, row) => (row[key] !== null ? n + 1 : n), 0);
}

function GaugePanel({
  resource,
  rows,
  markers,
  rule,
  scale,
}: {
  resource: Resource;
  rows: ChartRow[];
  markers: StepMarker[];
  rule: GaugeThreshold | null;
  scale: { top: number; ticks: number[] };
}) {
  const baselineKey = `baseline${KEY[resource]}` as const;
  const canaryKey = `canary${KEY[resource]}` as const;
  // A lone sample is no line: draw it as a dot so it is not invisible.
  const baselineDot = samples(rows, baselineKey) === 1 ? { r: 3 } : false;
  const canaryDot = samples(rows, canaryKey) === 1 ? { r: 3 } : false;
  const limit = rule?.limitPercent ?? LIMIT_PERCENT;
  return (
    <div className="min-w-0">
      <p className="text-xs font-medium text-slate-800" style={{ height: PANEL_HEADING_PX }}>
        {NAME[resource]}
      </p>
      <DrawWhenSeen height={CHART_HEIGHT - PANEL_HEADING_PX}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={CHART_MARGIN} title={`${NAME[resource]}, percent of the limit, baseline vs canary`}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis {...timeAxis(rows, 3)} />
            <YAxis {...VALUE_AXIS} width={48} tickFormatter={pct} domain={[0, scale.top]} ticks={scale.ticks} />
            <Tooltip labelFormatter={tooltipTime} formatter={(v) => (typeof v === "number" ? pct(v) : String(v))} />
            {markerLines(markers, rows).map(({ key, ...line }) => (
              <ReferenceLine key={key} {...line} />
            ))}
            <ReferenceLine y={limit} {...(rule ? RULE_LINE : PLAIN_LIMIT_LINE)} ifOverflow="extendDomain" />
            <Line name={`Baseline ${NAME[resource]}`} dataKey={baselineKey} {...CHART_STYLE.baseline} strokeWidth={2} dot={baselineDot} connectNulls isAnimationActive={false} />
            <Line name={`Canary ${NAME[resource]}`} dataKey={canaryKey} {...CHART_STYLE.canary} strokeWidth={2} dot={canaryDot} connectNulls isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </DrawWhenSeen>
    </div>
  );
}

/**
 * Baseline vs canary CPU and memory, in percent of the environment's limit, as two small charts
 * side by side (one scale) against the gauge rules' limit. Gauges are sampled sparsely: the lines
 * connect across seconds without a sample.
 */
export function ResourcesChart({
  rows,
  markers,
  thresholds,
}: {
  rows: ChartRow[];
  markers: StepMarker[];
  /** the run's CPU and memory rules; null for a gauge no trigger watches */
  thresholds: Record<Resource, GaugeThreshold | null>;
}) {
  const latest = {
    baselineCpu: latestGauge(rows, "baselineCpuPct"),
    canaryCpu: latestGauge(rows, "canaryCpuPct"),
    baselineMemory: latestGauge(rows, "baselineMemoryPct"),
    canaryMemory: latestGauge(rows, "canaryMemoryPct"),
  };
  const hasData = Object.values(latest).some((v) => v !== null);
  const { cpu, memory } = thresholds;
  const shared = sameRule(cpu, memory);
  const rules = shared
    ? cpu
      ? `CPU and memory ${ruleText(cpu)}.`
      : `Limit ${pct(LIMIT_PERCENT)}; no rollback rule watches CPU or memory.`
    : `CPU ${cpu ? ruleText(cpu) : "has no rollback rule"}; memory ${memory ? ruleText(memory) : "has no rollback rule"}.`;
  const summary = hasData
    ? `Latest samples, percent of the environment's limit: CPU baseline ${show(latest.baselineCpu)}, canary ${show(latest.canaryCpu)}; ` +
      `memory baseline ${show(latest.baselineMemory)}, canary ${show(latest.canaryMemory)}. ${rules}`
    : "No CPU or memory samples yet.";
  const legend: LegendItem[] = [
    { label: "Baseline", ...CHART_STYLE.baseline },
    { label: "Canary", ...CHART_STYLE.canary },
    ...(shared ? [limitLegend(null, cpu)] : [limitLegend("cpu", cpu), limitLegend("memory", memory)]),
    ...(markers.length > 0 ? [MARKER_LEGEND] : []),
  ];
  const scale = valueScale(rows, [cpu?.limitPercent ?? LIMIT_PERCENT, memory?.limitPercent ?? LIMIT_PERCENT]);

  return (
    <ChartFigure
      title="CPU and memory"
      description={`Latest sample of each window (10 s stored, 1 s live), in % of the environment's limit. ${rules} Canary dashed.`}
      summary={summary}
      hasData={hasData}
      legend={legend}
      emptyText="No CPU or memory samples yet."
      sizesItself
    >
      <div className="@container">
        <div className="grid gap-x-3 gap-y-2 @md:grid-cols-2">
          <GaugePanel resource="cpu" rows={rows} markers={markers} rule={cpu} scale={scale} />
          <GaugePanel resource="memory" rows={rows} markers={markers} rule={memory} scale={scale} />
        </div>
      </div>
    </ChartFigure>
  );
}
