"use client";
import { createContext, useContext, type ReactNode } from "react";
import type { XAxisProps } from "recharts";
import { formatLocal } from "@/components/ui/local-time";
import type { StepMarker } from "./chart-rows";
import { DrawWhenSeen } from "./draw-when-seen";

/** Baseline and canary differ in colour AND line style, so neither colour vision nor print loses them. */
export const CHART_STYLE = {
  baseline: { stroke: "#475569" }, // slate-600
  canary: { stroke: "#1d4ed8", strokeDasharray: "6 3" }, // blue-700, dashed
  rollback: "#b91c1c", // red-700
  hold: "#92400e", // amber-800
  marker: "#334155", // slate-700
} as const;

export const CHART_HEIGHT = 220;
export const CHART_MARGIN = { top: 16, right: 12, bottom: 4, left: 0 };
const TICK_FILL = "#334155"; // slate-700
const TICK_FONT_SIZE = 12;

// What Recharts hands a tick renderer (the parts drawn here).
type TickProps = {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
  index?: number;
  tickFormatter?: unknown;
  textAnchor?: string;
  verticalAnchor?: string;
};

// A label's first line sits this far below its anchor (Recharts' Text uses the same cap height).
const DY = { start: "0.71em", middle: "0.355em", end: "0" } as const;

/**
 * A tick label as plain SVG text. Recharts' own label (its Text) measures every word in the page
 * to wrap it, a style recalculation per label and per redraw; a tick label never wraps. Its class
 * is not Recharts' tick class either: finding one, each axis reads the label's computed font
 * (a style recalculation in every commit that draws a chart) to measure labels it no longer needs.
 */
function PlainTick({ x = 0, y = 0, payload, index = 0, tickFormatter, textAnchor = "middle", verticalAnchor = "start" }: TickProps) {
  const value = payload?.value;
  const text = typeof tickFormatter === "function" ? String((tickFormatter as (v: unknown, i: number) => unknown)(value, index)) : String(value ?? "");
  const dy = verticalAnchor === "start" || verticalAnchor === "middle" || verticalAnchor === "end" ? DY[verticalAnchor] : DY.start;
  const anchor = textAnchor === "start" || textAnchor === "end" ? textAnchor : "middle";
  return (
    <text x={x} y={y} dy={dy} textAnchor={anchor} fill={TICK_FILL} fontSize={TICK_FONT_SIZE} className="chart-tick">
      {text}
    </text>
  );
}

/** "14:05:09" in the viewer's zone (the charts render in the browser only). */
export function clockTime(at: number): string {
  return formatLocal(at).slice(11);
}

/**
 * The shared time axis: real time, not one slot per point, so gaps show as gaps. Its ticks are
 * placed here, evenly from the first point to the last — `count` of them: four fit a phone's
 * chart, three the narrower panels of the resources chart — and all drawn (`interval: 0`): left
 * to Recharts, the ticks were chosen by measuring each label's width in the page, a style
 * recalculation per label, most of each chart's 200–350 ms draw.
 */
export function timeAxis(rows: readonly { at: number }[], count = 4): XAxisProps {
  const first = rows[0]?.at;
  const last = rows.at(-1)?.at;
  const ticks =
    first === undefined || last === undefined || last <= first
      ? first === undefined ? [] : [first]
      : Array.from({ length: count }, (_, i) => Math.round(first + ((last - first) * i) / (count - 1)));
  return {
    dataKey: "at",
    type: "number",
    scale: "time",
    domain: ["dataMin", "dataMax"],
    tickFormatter: (at: number) => clockTime(at),
    tick: PlainTick,
    ticks,
    interval: 0,
  };
}

/** Value axes draw every tick their scale gives (five), without measuring labels to thin them out. */
export const VALUE_AXIS = { tick: PlainTick, interval: 0 } as const;


/** Tooltip heading: the full local time of the point. */
export function tooltipTime(at: unknown): string {
  return typeof at === "number" ? formatLocal(at) : "";
}

/**
 * Reference-line props for step boundaries: when each weight took effect, and the rollback.
 * Labels sit on the side of the line with room, so one near the right edge is not cut off.
 */
export function markerLines(markers: readonly StepMarker[], rows: readonly { at: number }[]) {
  const first = rows[0]?.at ?? 0;
  const middle = (first + (rows.at(-1)?.at ?? first)) / 2;
  return markers.map((m) => ({
    key: `${m.at}-${m.label}`,
    x: m.at,
    stroke: CHART_STYLE.marker,
    strokeDasharray: "2 4",
    label: { value: m.label, position: m.at > middle ? ("insideTopRight" as const) : ("insideTopLeft" as const), fill: CHART_STYLE.marker, fontSize: 11 },
  }));
}

/** One entry of a chart's key: a sample of the line's colour and dash, and what it is. */
export type LegendItem = { label: string; stroke: string; strokeDasharray?: string };

export const MARKER_LEGEND: LegendItem = { label: "Weight change / rollback", stroke: CHART_STYLE.marker, strokeDasharray: "2 4" };

/** The key, in HTML under the drawing: labels drawn inside the SVG collide when lines are close. */
function ChartLegend({ items }: { items: readonly LegendItem[] }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-800">
      {items.map((item) => (
        <li key={item.label} className="inline-flex items-center gap-1.5">
          <svg aria-hidden="true" width="24" height="8" className="shrink-0">
            <line x1="0" y1="4" x2="24" y2="4" stroke={item.stroke} strokeWidth="2" strokeDasharray={item.strokeDasharray} />
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/**
 * True while the charts are drawn before their points have arrived: each says so where its
 * drawing will be, under its caption (the charts' frames are on screen at once, not after the
 * metric history's round trip).
 */
export const ChartsLoading = createContext(false);
const LOADING = "Loading metrics…";

/**
 * A chart as a figure: a caption that says what it shows, the drawing with its key, and a text
 * summary of the latest values for screen readers (the SVG itself is not a data table).
 */
export function ChartFigure({
  title,
  description,
  summary,
  hasData,
  legend,
  controls,
  emptyText = "No traffic measured yet.",
  sizesItself = false,
  children,
}: {
  title: string;
  description: string;
  summary: string;
  hasData: boolean;
  legend: readonly LegendItem[];
  controls?: ReactNode;
  /** what the empty placeholder says when there is nothing to draw */
  emptyText?: string;
  /** the children set their own height (several small charts); otherwise they fill CHART_HEIGHT */
  sizesItself?: boolean;
  children: ReactNode;
}) {
  const loading = useContext(ChartsLoading);
  return (
    <figure className="min-w-0 space-y-2 rounded-md border border-slate-200 p-3" aria-busy={loading || undefined}>
      <figcaption>
        <span className="block text-sm font-semibold text-slate-900">
          {title}
          <span className="sr-only">: </span>
        </span>
        <span className="block text-xs text-slate-700">{description}</span>
      </figcaption>
      {hasData ? controls : null}
      {hasData ? (
        <>
          {sizesItself ? <div>{children}</div> : <DrawWhenSeen height={CHART_HEIGHT}>{children}</DrawWhenSeen>}
          <ChartLegend items={legend} />
        </>
      ) : (
        <p className="flex items-center justify-center rounded bg-slate-50 text-sm text-slate-700" style={{ height: CHART_HEIGHT }}>
          {loading ? LOADING : emptyText}
        </p>
      )}
      <p className="sr-only">{loading ? LOADING : summary}</p>
    </figure>
  );
}
