import type { RunView } from "@/server/services/runs";
import type { MetricPoint, Side } from "./metrics-cache";

/** Error rate and traffic are summed over this much time: one second of canary traffic is a handful of requests. */
export const ROLLING_MS = 10_000;

export type Quantile = "p50" | "p95" | "p99";

/**
 * One instant on the charts' time axis, both sides. Null: no requests to measure, or (CPU and
 * memory, in percent of the environment's limit) no gauge sample in that window.
 */
export type ChartRow = {
  at: number;
} & Record<`${Side}${"P50" | "P95" | "P99"}`, number | null> &
  Record<`${Side}${"ErrorPct" | "Rps"}`, number | null> &
  Record<`${Side}${"CpuPct" | "MemoryPct"}`, number | null>;

/** What the last ROLLING_MS of one side add up to (for the text summaries). */
export type RollingTotals = { requests: number; errors: number; spanMs: number };

const SIDES: readonly Side[] = ["baseline", "canary"];

function emptyRow(at: number): ChartRow {
  return {
    at,
    baselineP50: null, baselineP95: null, baselineP99: null, canaryP50: null, canaryP95: null, canaryP99: null,
    baselineErrorPct: null, canaryErrorPct: null, baselineRps: null, canaryRps: null,
    baselineCpuPct: null, canaryCpuPct: null, baselineMemoryPct: null, canaryMemoryPct: null,
  };
}

/**
 * Rows for the charts. Latency is each window's own quantile (quantiles cannot be summed);
 * error rate and requests/s are rolling sums over ROLLING_MS, so stored 10 s windows and live
 * 1 s points read on the same scale.
 */
export function toChartRows(points: readonly MetricPoint[]): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const side of SIDES) {
    const own = points.filter((p) => p.side === side);
    let from = 0;
    let requests = 0;
    let errors = 0;
    let spanMs = 0;
    for (const p of own) {
      requests += p.requests;
      errors += p.errors;
      spanMs += p.spanMs;
      for (let old = own[from]; old && old.at <= p.at - ROLLING_MS; old = own[++from]) {
        requests -= old.requests;
        errors -= old.errors;
        spanMs -= old.spanMs;
      }
      const row = rows.get(p.at) ?? emptyRow(p.at);
      row[`${side}P50`] = p.p50;
      row[`${side}P95`] = p.p95;
      row[`${side}P99`] = p.p99;
      row[`${side}ErrorPct`] = requests > 0 ? (100 * errors) / requests : null;
      row[`${side}Rps`] = spanMs > 0 ? (1000 * requests) / spanMs : null;
      // Gauges are each window's own sample, not summed; sparse (the lines connect across gaps).
      row[`${side}CpuPct`] = p.cpuPercent;
      row[`${side}MemoryPct`] = p.memoryPercent;
      rows.set(p.at, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.at - b.at);
}

/** The last ROLLING_MS of one side, summed. */
export function rollingTotals(points: readonly MetricPoint[], side: Side): RollingTotals {
  const own = points.filter((p) => p.side === side);
  const newest = own.at(-1)?.at ?? 0;
  return own
    .filter((p) => p.at > newest - ROLLING_MS)
    .reduce((t, p) => ({ requests: t.requests + p.requests, errors: t.errors + p.errors, spanMs: t.spanMs + p.spanMs }), { requests: 0, errors: 0, spanMs: 0 });
}

/** The newest measured value of a quantile on one side. */
export function latestQuantile(points: readonly MetricPoint[], side: Side, q: Quantile): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p && p.side === side && p[q] !== null) return p[q];
  }
  return null;
}

/** The newest CPU or memory sample of one side in the rows, percent of the limit; null when there is none. */
export function latestGauge(rows: readonly ChartRow[], key: `${Side}${"CpuPct" | "MemoryPct"}`): number | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const value = rows[i]?.[key];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

/** A moment to mark on the time axis: a step's weight applied, or the rollback. */
export type StepMarker = { at: number; label: string };

/** Step boundaries from the run's decisions: when each weight took effect, and when it rolled back. */
export function stepMarkers(decisions: RunView["decisions"]): StepMarker[] {
  const markers: StepMarker[] = [];
  for (const d of decisions) {
    const percent = d.evidence?.percent;
    if (d.verdict === "hold" && typeof percent === "number" && (d.trigger === "router" || d.trigger === "operator")) {
      markers.push({ at: Date.parse(d.at), label: `${percent}%` });
    } else if (d.verdict === "rollback") {
      markers.push({ at: Date.parse(d.at), label: "rollback" });
    }
  }
  return markers;
}

/** Markers inside the charted time range (outside it they would stretch the axis). */
export function markersWithin(markers: readonly StepMarker[], rows: readonly ChartRow[]): StepMarker[] {
  const first = rows[0]?.at;
  const last = rows.at(-1)?.at;
  if (first === undefined || last === undefined) return [];
  return markers.filter((m) => m.at >= first && m.at <= last);
}
