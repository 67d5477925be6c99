import {
  cumulativeDelta,
  histogramProblem,
  HTTP_SERVER_DURATION_METRICS,
  latencyRanges,
  msPerUnit,
  sideOf,
  spreadRange,
  statusOf,
  type HistogramValue,
} from "../../core/analysis/otlp-histogram.ts";
import type { RequestObservation } from "../../metrics/types.ts";
import { TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, type ExportResult, type TExponentialPoint, type THistogramPoint, type TExportMetricsRequest, type TKeyValue } from "./otlp-codec.ts";

/**
 * What an OTLP metrics export means to the analysis: HTTP server duration histograms of a
 * service's baseline and canary, fed to the run rolling out in that service's environment as
 * requests (core/analysis/otlp-histogram.ts places them inside their buckets). Other metrics are
 * accepted and not read; duration points that cannot be used are rejected one by one with the
 * reason, in the response's partial_success, and never stop the rest of the export.
 */

/** A run in its rollout that the receiver may feed when the analysis watches it. */
export type OtlpRun = {
  id: string;
  /** whether the canary analysis watches it (the aggregator counts for it); a run without analysis takes no metrics */
  analysed: boolean;
  /** the service's slug, matched against the resource's `service.name` */
  service: string;
  environment: string;
  baselineVersion: string;
  targetVersion: string;
  /** a flag run's new variant (issue 15): points tagged with it are its canary, other variants its baseline; null for a version run */
  flagVariant?: string | null;
  /** when the run's procedure started (epoch ms); null before */
  startedAt: number | null;
};

/** Where observations go: the metrics aggregator. */
export type WeightedSink = { observeRequests(o: RequestObservation, count: number): void };

/**
 * Requests placed per bucket at most: the positions a bucket's requests are spread over (each
 * position carries its share of the count), so a bucket counting a million requests costs 16
 * sketch updates. Latency resolution inside a bucket is finer than any bucket layout gives anyway.
 */
export const POSITIONS_PER_BUCKET = 16;
/**
 * Weighted observations one export may make (≈ 4 ms of sketch updates): 20,000 covers 1,250
 * streams with every one of 16 buckets filled, or ~100 exponential streams at the SDK's default
 * 160 buckets. Points past it are rejected with the reason — export more often or fewer streams.
 */
export const MAX_OBSERVATIONS_PER_EXPORT = 20_000;
/** Cumulative streams remembered; the least recently exported are forgotten first (their next export then only sets a new reference). */
export const MAX_STREAMS = 10_000;
/** A stream not exported for this long is forgotten. */
const STREAM_TTL_MS = 60 * 60_000;

type StreamState = { start: string; value: HistogramValue; seenAt: number };

/**
 * The previous value of every cumulative stream (resource, metric and point attributes), so each
 * export feeds only what was counted since the one before. Bounded by MAX_STREAMS.
 */
export class CumulativeStreams {
  private readonly streams = new Map<string, StreamState>();

  /** Records a stream's new value; returns the previous one unless the stream restarted (another start time) or is new. */
  swap(key: string, start: string, value: HistogramValue, now: number): HistogramValue | null {
    const prev = this.streams.get(key);
    this.streams.delete(key);
    this.streams.set(key, { start, value, seenAt: now });
    if (this.streams.size > MAX_STREAMS) {
      const oldest = this.streams.keys().next();
      if (!oldest.done) this.streams.delete(oldest.value);
    }
    if (!prev || prev.start !== start || now - prev.seenAt > STREAM_TTL_MS) return null;
    return prev.value;
  }

  get size(): number {
    return this.streams.size;
  }
}

export type ReceiveDeps = {
  /** the runs that may be fed, asked once per export and only when it has duration points */
  runs: () => Promise<OtlpRun[]>;
  sink: WeightedSink;
  streams: CumulativeStreams;
  now: number;
};

/** What an export did: the response's partial success, and what was fed. */
export type ReceiveResult = ExportResult & { acceptedDataPoints: number; requests: number };

type Attributes = Map<string, string | number | boolean>;

function attributes(list: TKeyValue[]): Attributes {
  const out: Attributes = new Map();
  for (const kv of list) {
    const v = kv.value;
    if (!v) continue;
    const value = v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue;
    if (value !== undefined) out.set(kv.key, value);
  }
  return out;
}

const text = (a: Attributes, ...keys: string[]): string | null => {
  for (const k of keys) {
    const v = a.get(k);
    if (v !== undefined && v !== "") return String(v);
  }
  return null;
};
const integer = (a: Attributes, ...keys: string[]): number | null => {
  for (const k of keys) {
    const v = Number(a.get(k));
    if (a.has(k) && Number.isInteger(v)) return v;
  }
  return null;
};
const key = (a: Attributes) => JSON.stringify([...a].sort(([x], [y]) => (x < y ? -1 : 1)));

function explicitValue(p: THistogramPoint): HistogramValue {
  return { kind: "explicit", bounds: p.explicitBounds, counts: p.bucketCounts, count: p.count, sum: p.sum ?? null };
}
function exponentialValue(p: TExponentialPoint): HistogramValue {
  return { kind: "exponential", scale: p.scale, zeroCount: p.zeroCount, offset: p.positive?.offset ?? 0, counts: p.positive?.bucketCounts ?? [], count: p.count, sum: p.sum ?? null };
}

/** Rejection reasons with how many points each, for partial_success's message. */
class Rejections {
  readonly reasons = new Map<string, number>();
  total = 0;
  add(reason: string): void {
    this.total++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }
  message(): string {
    if (this.total === 0) return "";
    const parts = [...this.reasons].map(([reason, n]) => `${reason} (${n})`);
    const all = `${this.total} data point${this.total === 1 ? "" : "s"} rejected: ${parts.join("; ")}`;
    // partial_success is logged by exporters: keep it one readable line.
    return all.length > 1_000 ? `${all.slice(0, 999)}…` : all;
  }
}

/**
 * Feeds one decoded export to the runs it concerns. Cumulative streams feed the difference from
 * their previous export; a stream seen for the first time feeds everything it counted only when
 * it began after the run started (a canary process started for the run), else it is the reference
 * the next export is measured from — as Prometheus' increase() ignores what came before a window.
 */
export async function receiveMetrics(request: TExportMetricsRequest, deps: ReceiveDeps): Promise<ReceiveResult> {
  const rejected = new Rejections();
  let runs: OtlpRun[] | null = null;
  let accepted = 0;
  let requests = 0;
  let budget = MAX_OBSERVATIONS_PER_EXPORT;

  for (const rm of request.resourceMetrics) {
    const resource = attributes(rm.resource?.attributes ?? []);
    const service = text(resource, "service.name");
    const environment = text(resource, "deployment.environment.name", "deployment.environment");
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        if (!(HTTP_SERVER_DURATION_METRICS as readonly string[]).includes(metric.name)) continue;
        const series = metric.histogram
          ? { temporality: metric.histogram.aggregationTemporality, points: metric.histogram.dataPoints.map((p) => ({ p, value: explicitValue(p) })) }
          : metric.exponentialHistogram
            ? { temporality: metric.exponentialHistogram.aggregationTemporality, points: metric.exponentialHistogram.dataPoints.map((p) => ({ p, value: exponentialValue(p) })) }
            : null;
        if (!series) continue;
        const msPer = msPerUnit(metric.unit, metric.name);
        for (const { p, value } of series.points) {
          if (msPer === null) {
            rejected.add(`${metric.name} has unit "${metric.unit}", not a duration (s, ms, us, ns)`);
            continue;
          }
          const problem = histogramProblem(value);
          if (problem) {
            rejected.add(`${metric.name}: ${problem}`);
            continue;
          }
          if (series.temporality !== TEMPORALITY_DELTA && series.temporality !== TEMPORALITY_CUMULATIVE) {
            rejected.add(`${metric.name}: aggregation temporality unspecified`);
            continue;
          }
          const point = attributes(p.attributes);
          // The stream's identity (OTLP data model): resource, metric and point attributes.
          const streamKey = `${key(resource)}|${metric.name}|${metric.unit}|${value.kind}|${key(point)}`;
          let delta: HistogramValue | null = value;
          let firstSight = false;
          if (series.temporality === TEMPORALITY_CUMULATIVE) {
            const prev = deps.streams.swap(streamKey, p.startTimeUnixNano, value, deps.now);
            if (prev === null) firstSight = true;
            else {
              const d = cumulativeDelta(prev, value);
              delta = d.reset ? value : d.delta;
            }
          }
          if (!service) {
            rejected.add("no service.name resource attribute");
            continue;
          }
          if (!environment) {
            rejected.add("no deployment.environment.name resource attribute");
            continue;
          }
          runs ??= await deps.runs();
          const run = runs.find((r) => r.service === service && r.environment === environment);
          if (!run) {
            rejected.add(`no run of ${service} is rolling out in ${environment}`);
            continue;
          }
          if (!run.analysed) {
            rejected.add(`the run of ${service} rolling out in ${environment} has no automated analysis`);
            continue;
          }
          const version = text(point, "version", "service.version") ?? text(resource, "service.version");
          // OpenTelemetry's feature-flag semantic conventions: the variant the user was served.
          const variant = text(point, "feature_flag.result.variant", "feature_flag.variant") ?? text(resource, "feature_flag.result.variant", "feature_flag.variant");
          const side = sideOf({ side: text(point, "flightdeck.side"), version, variant }, run);
          if (!side) {
            rejected.add(
              text(point, "flightdeck.side") !== null
                ? `flightdeck.side must be baseline or canary`
                : run.flagVariant
                  ? `no feature_flag.result.variant (or flightdeck.side) to tell users on variant ${run.flagVariant} from the rest`
                  : version === null
                  ? "no service.version (or flightdeck.side) to tell baseline from canary"
                  : `version ${version} of ${service} is neither the baseline ${run.baselineVersion} nor the canary ${run.targetVersion}`,
            );
            continue;
          }
          // A cumulative stream's first export: everything it counted, or only a reference (see above).
          if (firstSight && !(run.startedAt !== null && BigInt(p.startTimeUnixNano) >= BigInt(run.startedAt) * 1_000_000n)) {
            accepted++;
            continue;
          }
          const weighted = latencyRanges(delta, msPer).flatMap((r) => spreadRange(r, POSITIONS_PER_BUCKET));
          if (weighted.length > budget) {
            rejected.add(`over ${MAX_OBSERVATIONS_PER_EXPORT} latency positions in one export; export more often or fewer streams`);
            continue;
          }
          budget -= weighted.length;
          const status = statusOf(integer(point, "http.response.status_code", "http.status_code"), text(point, "error.type"));
          const o: RequestObservation = { runId: run.id, side, status, latencyMs: 0 };
          for (const w of weighted) {
            o.latencyMs = w.latencyMs;
            deps.sink.observeRequests(o, w.count);
            requests += w.count;
          }
          accepted++;
        }
      }
    }
  }
  return { rejectedDataPoints: rejected.total, errorMessage: rejected.message(), acceptedDataPoints: accepted, requests };
}
