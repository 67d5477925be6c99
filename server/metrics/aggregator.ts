import type { DDSketch } from "@datadog/sketches-js";
import { latencyThresholds } from "../core/analysis/sequential-tests.ts";
import type { AnalysisConfig, CanaryBatch, LatencyTestId, SecuritySignal, SideTotals, WindowTotals } from "../core/analysis/triggers.ts";
import { countAbove, newSketch, quantile, serializeSketch } from "./sketch.ts";
import type { MetricSource } from "../engine/ports.ts";
import type { ObservationSink, RequestObservation, Side } from "./types.ts";

/** Persisted every 10 s per run and side: counts plus the latency sketch, never raw requests. */
export type MetricWindowRow = {
  runId: string;
  /** a region-by-region run's region the window belongs to */
  region?: string;
  side: Side;
  windowStart: Date;
  windowMs: number;
  requests: number;
  errors: number;
  latencySketch: Uint8Array;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  attempts: number;
  conversions: number;
};

/** One second of one run, for the live charts. */
export type MetricPoint = {
  at: number;
  side: Side;
  requests: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** last CPU / memory sample in this second, percent of the limit; null when none arrived */
  cpuPercent: number | null;
  memoryPercent: number | null;
};

type Accum = {
  requests: number;
  errors: number;
  sketch: DDSketch;
  attempts: number;
  conversions: number;
  cpu: number[];
  memory: number[];
};

/** A Core Web Vital as the service's real users measured it: LCP and INP in ms, CLS unitless. */
export type VitalName = "lcp" | "inp" | "cls";
const VITAL_NAMES: readonly VitalName[] = ["lcp", "inp", "cls"];

/** One side's p75 of a vital (the Core Web Vitals threshold percentile) and how many samples it rests on. */
export type VitalSummary = { p75: number | null; count: number };
/** Core Web Vitals per side: baseline since the rollout began, canary since the current step began. */
export type RunVitals = Record<Side, Record<VitalName, VitalSummary>>;

type VitalSketches = Record<VitalName, DDSketch>;
type RunVitalSketches = { stepIndex: number; sides: Record<Side, VitalSketches> };

const emptyVitals = (): VitalSketches => ({ lcp: newSketch(), inp: newSketch(), cls: newSketch() });

const emptyAccum = (): Accum => ({ requests: 0, errors: 0, sketch: newSketch(), attempts: 0, conversions: 0, cpu: [], memory: [] });

/** Gauge samples kept for the consecutive-breach rule; older ones cannot change its answer. */
const GAUGE_KEEP = 20;
const WINDOW_MS = 10_000;

type RunMetrics = {
  stepIndex: number;
  /** a region-by-region run's current region: requests tagged with another region are not this step's evidence */
  region: string | null;
  /** baseline since the run's rollout began: the reference the canary is judged against */
  baseline: Accum;
  /** canary since the current step began */
  canary: Accum;
  /** canary since the analysis last took a batch: what the change detectors consume next */
  batch: Accum;
  second: Record<Side, Accum>;
  window: Record<Side, Accum>;
  windowStart: number;
  signals: SecuritySignal[];
};

const isError = (status: number) => status >= 500 || status === 0;

/** A released region's router still sends its traffic to the canary: only the current region's requests count. */
function sameRegion(run: RunMetrics, o: RequestObservation): boolean {
  return run.region === null || o.region === undefined || o.region === run.region;
}

function add(acc: Accum, status: number, latencyMs: number, count = 1): void {
  acc.requests += count;
  if (isError(status)) acc.errors += count;
  acc.sketch.accept(Math.max(latencyMs, 0.001), count);
}

/** A side's running totals: the baseline's over the rollout, the canary's over the current step. */
function running(run: RunMetrics, side: Side): Accum {
  return side === "baseline" ? run.baseline : run.canary;
}

/** Per latency test, how many of a sketch's requests are slower than its threshold. */
function slowerThan(sketch: DDSketch, thresholds: Partial<Record<LatencyTestId, number>>): CanaryBatch["slowerThan"] {
  const out: CanaryBatch["slowerThan"] = {};
  for (const [id, thresholdMs] of Object.entries(thresholds) as [LatencyTestId, number][]) {
    out[id] = { thresholdMs, count: countAbove(sketch, thresholdMs) };
  }
  return out;
}

function keepLast(list: number[], value: number): void {
  list.push(value);
  if (list.length > GAUGE_KEEP) list.shift();
}

/**
 * Per-run request metrics in memory: 1 s windows for the live charts, 10 s windows persisted,
 * and the running totals the canary analysis reads (baseline over the rollout, canary over the
 * current step). O(1) per request; memory per run is a few sketches whatever the traffic.
 */
export class MetricsAggregator implements ObservationSink, MetricSource {
  private readonly runs = new Map<string, RunMetrics>();
  /** Keyed by the run's metrics object, so they go when `forget` drops the run. */
  private readonly vitalSketches = new WeakMap<RunMetrics, RunVitalSketches>();

  constructor(private readonly clock: () => number) {}

  /** Starts (or restarts) counting a run's canary from a new step; the baseline keeps counting. */
  startStep(runId: string, stepIndex: number, region: string | null = null): void {
    const now = this.clock();
    const run = this.runs.get(runId);
    if (run) {
      if (run.stepIndex === stepIndex) return;
      // A new region is judged on its own traffic: its baseline starts afresh too.
      if (run.region !== region) run.baseline = emptyAccum();
      run.region = region;
      run.stepIndex = stepIndex;
      run.canary = emptyAccum();
      run.batch = emptyAccum();
      run.signals = [];
      return;
    }
    this.runs.set(runId, {
      stepIndex,
      region,
      baseline: emptyAccum(),
      canary: emptyAccum(),
      batch: emptyAccum(),
      second: { baseline: emptyAccum(), canary: emptyAccum() },
      window: { baseline: emptyAccum(), canary: emptyAccum() },
      windowStart: now,
      signals: [],
    });
  }

  /** Whether the run is being watched. */
  watching(runId: string): boolean {
    return this.runs.has(runId);
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }

  observeRequest(o: RequestObservation): void {
    const run = this.runs.get(o.runId);
    if (!run || !sameRegion(run, o)) return;
    add(running(run, o.side), o.status, o.latencyMs);
    if (o.side === "canary") add(run.batch, o.status, o.latencyMs);
    add(run.second[o.side], o.status, o.latencyMs);
    add(run.window[o.side], o.status, o.latencyMs);
  }

  /**
   * `count` requests with the same status and latency at once, exactly as many `observeRequest`
   * calls would record them (the sketch takes a weight): how histogram sources (OTLP) feed a
   * bucket's requests without a loop as long as the traffic.
   */
  observeRequests(o: RequestObservation, count: number): void {
    const run = this.runs.get(o.runId);
    if (!run || !sameRegion(run, o) || !(count > 0) || !Number.isSafeInteger(count)) return;
    add(running(run, o.side), o.status, o.latencyMs, count);
    if (o.side === "canary") add(run.batch, o.status, o.latencyMs, count);
    add(run.second[o.side], o.status, o.latencyMs, count);
    add(run.window[o.side], o.status, o.latencyMs, count);
  }

  observeGauge(runId: string, side: Side, kind: "cpu" | "memory", percentOfLimit: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    for (const acc of [running(run, side), run.window[side], run.second[side]]) keepLast(acc[kind], percentOfLimit);
  }

  observeConversions(runId: string, side: Side, attempts: number, conversions: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    for (const acc of [running(run, side), run.window[side], ...(side === "canary" ? [run.batch] : [])]) {
      acc.attempts += attempts;
      acc.conversions += conversions;
    }
  }

  observeSignal(runId: string, signal: SecuritySignal): void {
    this.runs.get(runId)?.signals.push(signal);
  }

  /** Records one real-user Core Web Vital sample (CLS may be 0: the sketch counts zeros exactly). */
  observeVital(runId: string, side: Side, name: VitalName, value: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.vitalsOf(run).sides[side][name].accept(value);
  }

  /** p75 of each vital per side, like `totals`: baseline over the rollout, canary over the step. */
  vitals(runId: string): RunVitals | null {
    const run = this.runs.get(runId);
    if (!run) return null;
    const sides = this.vitalsOf(run).sides;
    const summary = (sketches: VitalSketches) =>
      Object.fromEntries(VITAL_NAMES.map((n) => [n, { p75: quantile(sketches[n], 0.75), count: sketches[n].count }])) as Record<VitalName, VitalSummary>;
    return { baseline: summary(sides.baseline), canary: summary(sides.canary) };
  }

  /** A run's vital sketches; the canary's restart when the run has moved to another step. */
  private vitalsOf(run: RunMetrics): RunVitalSketches {
    let v = this.vitalSketches.get(run);
    if (!v) {
      v = { stepIndex: run.stepIndex, sides: { baseline: emptyVitals(), canary: emptyVitals() } };
      this.vitalSketches.set(run, v);
    } else if (v.stepIndex !== run.stepIndex) {
      v.stepIndex = run.stepIndex;
      v.sides.canary = emptyVitals();
    }
    return v;
  }

  /**
   * What one analysis evaluation reads, in one pass: the totals (baseline over the rollout, canary
   * over the step) and the canary's batch since the previous call, both with their requests slower
   * than each latency test's threshold — set from the baseline's quantiles as they stand now
   * (core/analysis/sequential-tests.ts latencyThresholds). Starts a new batch.
   */
  takeAnalysisInput(runId: string, config: AnalysisConfig): { totals: WindowTotals; batch: CanaryBatch } | null {
    const run = this.runs.get(runId);
    if (!run) return null;
    const baselineMs = { p95: quantile(run.baseline.sketch, 0.95), p99: quantile(run.baseline.sketch, 0.99) };
    const thresholds = latencyThresholds(config, baselineMs);
    const totals = this.totalsOf(run, thresholds);
    const b = run.batch;
    run.batch = emptyAccum();
    const batch = { at: this.clock(), requests: b.requests, errors: b.errors, attempts: b.attempts, conversions: b.conversions, slowerThan: slowerThan(b.sketch, thresholds) };
    return { totals, batch };
  }

  /** What the analysis reads: baseline over the rollout, canary over the step (slow counts at the given thresholds). */
  totals(runId: string, thresholds: Partial<Record<LatencyTestId, number>> = {}): WindowTotals | null {
    const run = this.runs.get(runId);
    return run ? this.totalsOf(run, thresholds) : null;
  }

  private totalsOf(run: RunMetrics, thresholds: Partial<Record<LatencyTestId, number>>): WindowTotals {
    const side = (acc: Accum): SideTotals => ({
      requests: acc.requests,
      errors: acc.errors,
      latencyMs: { p95: quantile(acc.sketch, 0.95), p99: quantile(acc.sketch, 0.99) },
      attempts: acc.attempts,
      conversions: acc.conversions,
      cpuPercent: [...acc.cpu],
      memoryPercent: [...acc.memory],
    });
    return {
      baseline: side(run.baseline),
      canary: side(run.canary),
      canarySlowerThan: slowerThan(run.canary.sketch, thresholds),
      securitySignals: [...run.signals],
    };
  }

  /** Closes the current second for every run: one chart point per side. */
  rollSecond(): { runId: string; points: MetricPoint[] }[] {
    const now = this.clock();
    const out: { runId: string; points: MetricPoint[] }[] = [];
    for (const [runId, run] of this.runs) {
      const points = (["baseline", "canary"] as const).map((side) => {
        const acc = run.second[side];
        return {
          at: now,
          side,
          requests: acc.requests,
          errors: acc.errors,
          p50: quantile(acc.sketch, 0.5),
          p95: quantile(acc.sketch, 0.95),
          p99: quantile(acc.sketch, 0.99),
          cpuPercent: acc.cpu.at(-1) ?? null,
          memoryPercent: acc.memory.at(-1) ?? null,
        };
      });
      run.second = { baseline: emptyAccum(), canary: emptyAccum() };
      out.push({ runId, points });
    }
    return out;
  }

  /** Closes every run's 10 s window once it is due (or at once with `force`), for persisting. */
  rollWindows(force = false): MetricWindowRow[] {
    const now = this.clock();
    const rows: MetricWindowRow[] = [];
    for (const [runId, run] of this.runs) {
      if (!force && now - run.windowStart < WINDOW_MS) continue;
      for (const side of ["baseline", "canary"] as const) {
        const acc = run.window[side];
        if (acc.requests === 0 && acc.cpu.length === 0 && acc.memory.length === 0 && acc.attempts === 0) continue;
        rows.push({
          runId,
          ...(run.region ? { region: run.region } : {}),
          side,
          windowStart: new Date(run.windowStart),
          windowMs: now - run.windowStart,
          requests: acc.requests,
          errors: acc.errors,
          latencySketch: serializeSketch(acc.sketch),
          p50: quantile(acc.sketch, 0.5),
          p95: quantile(acc.sketch, 0.95),
          p99: quantile(acc.sketch, 0.99),
          cpuPercent: acc.cpu.at(-1) ?? null,
          memoryPercent: acc.memory.at(-1) ?? null,
          attempts: acc.attempts,
          conversions: acc.conversions,
        });
      }
      run.window = { baseline: emptyAccum(), canary: emptyAccum() };
      run.windowStart = now;
    }
    return rows;
  }
}
