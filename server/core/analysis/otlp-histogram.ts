/**
 * OpenTelemetry's HTTP server duration histograms as the per-request observations the analysis
 * is fed by routers — the OTLP twin of histogram-window.ts (Prometheus), with the same rule: a
 * histogram knows only which bucket a request fell in, so its requests are placed inside their
 * bucket at evenly spaced positions, linearly for explicit buckets (as `histogram_quantile`
 * interpolates classic buckets) and geometrically for exponential ones (as Prometheus interpolates
 * native-histogram buckets, whose bounds grow by a constant factor). Latency shifts finer than
 * the buckets are invisible to the analysis.
 *
 * Pure: the receiver (adapters/metrics/otlp-receiver.ts) decodes, keeps the cumulative streams'
 * previous values and feeds the aggregator.
 */
import { apportion } from "./histogram-window.ts";

/** Which version a data point belongs to (as server/metrics/types.ts). */
export type Side = "baseline" | "canary";

/** An explicit-bucket histogram point: `counts[i]` requests in (bounds[i-1], bounds[i]]; one more count than bounds (the overflow bucket). */
export type ExplicitHistogram = { kind: "explicit"; bounds: number[]; counts: number[]; count: number; sum: number | null };

/**
 * An exponential histogram point: bucket `offset + k` of the positive range holds `counts[k]`
 * values in (base^i, base^(i+1)] with base = 2^(2^-scale); `zeroCount` values were (about) zero.
 * The negative range is not kept: a duration is never negative.
 */
export type ExponentialHistogram = { kind: "exponential"; scale: number; zeroCount: number; offset: number; counts: number[]; count: number; sum: number | null };

export type HistogramValue = ExplicitHistogram | ExponentialHistogram;

/** Requests known to lie between two latencies, and how to spread them there. */
export type LatencyRange = { lowerMs: number; upperMs: number; count: number; spacing: "linear" | "geometric" };

/** Requests at one latency, to observe `count` times. */
export type WeightedRequest = { latencyMs: number; count: number };

/** The two metric names read: the stable semantic conventions' (seconds) and the old ones' (milliseconds). */
export const HTTP_SERVER_DURATION_METRICS = ["http.server.request.duration", "http.server.duration"] as const;

/**
 * Milliseconds per unit of a duration metric, from its UCUM unit or, when the unit is missing,
 * from the convention its name follows; null for a unit that is not a duration.
 */
export function msPerUnit(unit: string, metricName: string): number | null {
  switch (unit) {
    case "s":
      return 1000;
    case "ms":
      return 1;
    case "us":
    case "μs":
      return 0.001;
    case "ns":
      return 0.000_001;
    case "":
      return metricName === "http.server.request.duration" ? 1000 : metricName === "http.server.duration" ? 1 : null;
    default:
      return null;
  }
}

/** The bounds of exponential bucket `index` at `scale`: (2^(index·2^-scale), 2^((index+1)·2^-scale)]. */
export function exponentialBucketBounds(scale: number, index: number): { lower: number; upper: number } {
  const width = 2 ** -scale;
  return { lower: 2 ** (index * width), upper: 2 ** ((index + 1) * width) };
}

/**
 * Why a histogram point cannot be read, or null when it can: the shapes OTLP requires (one more
 * explicit count than bounds, bounds increasing, counts whole and not negative).
 */
export function histogramProblem(h: HistogramValue): string | null {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!h.counts.every(whole) || !whole(h.count)) return "bucket counts must be whole numbers, not negative";
  if (h.kind === "explicit") {
    if (h.counts.length === 0) return null;
    if (h.counts.length !== h.bounds.length + 1) return `${h.bounds.length} explicit bounds need ${h.bounds.length + 1} bucket counts, not ${h.counts.length}`;
    for (let i = 0; i < h.bounds.length; i++) {
      const b = h.bounds[i] ?? NaN;
      if (!Number.isFinite(b) || (i > 0 && b <= (h.bounds[i - 1] ?? -Infinity))) return "explicit bounds must be finite and increasing";
    }
    return null;
  }
  if (!Number.isInteger(h.scale) || h.scale < -10 || h.scale > 20) return `exponential scale ${h.scale} is outside -10…20`;
  if (!whole(h.zeroCount) || !Number.isInteger(h.offset)) return "exponential zero count and offset must be whole numbers";
  return null;
}

/**
 * Where a histogram's requests lie, in milliseconds. Explicit: the first bucket starts at 0 (no
 * duration is negative), the overflow bucket's requests sit at the highest finite bound (what
 * `histogram_quantile` answers); a histogram without bounds places its requests at the mean when
 * it has a sum, and nowhere otherwise (a request is not observed without a latency). Exponential:
 * zero-bucket requests at 0, the others geometrically inside their bucket.
 */
export function latencyRanges(h: HistogramValue, msPer: number): LatencyRange[] {
  const out: LatencyRange[] = [];
  if (h.kind === "explicit") {
    if (h.bounds.length === 0) {
      const n = h.counts[0] ?? h.count;
      if (n > 0 && h.sum !== null && Number.isFinite(h.sum)) {
        const mean = Math.max(0, (h.sum / n) * msPer);
        out.push({ lowerMs: mean, upperMs: mean, count: n, spacing: "linear" });
      }
      return out;
    }
    const highest = Math.max(0, h.bounds.at(-1) ?? 0) * msPer;
    h.counts.forEach((count, i) => {
      if (count <= 0) return;
      const upper = i < h.bounds.length ? Math.max(0, h.bounds[i] ?? 0) * msPer : highest;
      const lower = i === 0 || i === h.bounds.length ? upper : Math.max(0, h.bounds[i - 1] ?? 0) * msPer;
      out.push({ lowerMs: i === 0 ? 0 : lower, upperMs: upper, count, spacing: "linear" });
    });
    return out;
  }
  if (h.zeroCount > 0) out.push({ lowerMs: 0, upperMs: 0, count: h.zeroCount, spacing: "linear" });
  h.counts.forEach((count, k) => {
    if (count <= 0) return;
    const { lower, upper } = exponentialBucketBounds(h.scale, h.offset + k);
    out.push({ lowerMs: lower * msPer, upperMs: upper * msPer, count, spacing: "geometric" });
  });
  return out;
}

/**
 * A range's requests at up to `maxPositions` evenly spaced latencies, each carrying its share of
 * the count (shares differ by at most one request), so the work per bucket is bounded however
 * many requests it counted.
 */
export function spreadRange(r: LatencyRange, maxPositions: number): WeightedRequest[] {
  const k = Math.max(1, Math.min(r.count, maxPositions));
  if (r.count <= 0) return [];
  if (r.upperMs <= r.lowerMs) return [{ latencyMs: r.lowerMs, count: r.count }];
  const shares = apportion(r.count, new Array<number>(k).fill(1));
  const geometric = r.spacing === "geometric" && r.lowerMs > 0;
  return shares.map((count, j) => {
    const f = (j + 0.5) / k;
    const latencyMs = geometric ? r.lowerMs * (r.upperMs / r.lowerMs) ** f : r.lowerMs + (r.upperMs - r.lowerMs) * f;
    return { latencyMs, count };
  });
}

/** An exponential histogram's positive buckets as index → count, merged down to `scale` (each step down halves the resolution). */
function exponentialBuckets(h: ExponentialHistogram, scale: number): Map<number, number> {
  const out = new Map<number, number>();
  const shift = h.scale - scale;
  h.counts.forEach((c, k) => {
    if (c <= 0) return;
    // Downscaling by `shift` maps bucket i to floor(i / 2^shift) (the spec's index >> shift, kept exact for negative indices).
    const i = Math.floor((h.offset + k) / 2 ** shift);
    out.set(i, (out.get(i) ?? 0) + c);
  });
  return out;
}

/**
 * What a cumulative stream counted since its previous value, or `reset` when it cannot be
 * subtracted — counts went down or the buckets changed in a way a running total cannot (the
 * process restarted and its histogram began again). An exponential histogram may have lowered
 * its scale since (the SDK rescales as the range grows), so the previous value is merged down.
 */
export function cumulativeDelta(prev: HistogramValue, cur: HistogramValue): { reset: false; delta: HistogramValue } | { reset: true } {
  if (cur.count < prev.count) return { reset: true };
  if (cur.kind === "explicit" && prev.kind === "explicit") {
    const sameBounds = cur.bounds.length === prev.bounds.length && cur.bounds.every((b, i) => b === prev.bounds[i]);
    if (!sameBounds || (prev.counts.length > 0 && cur.counts.length !== prev.counts.length)) return { reset: true };
    const counts = cur.counts.map((c, i) => c - (prev.counts[i] ?? 0));
    if (counts.some((c) => c < 0)) return { reset: true };
    return { reset: false, delta: { ...cur, counts, count: cur.count - prev.count, sum: cur.sum !== null && prev.sum !== null ? cur.sum - prev.sum : null } };
  }
  if (cur.kind === "exponential" && prev.kind === "exponential") {
    if (cur.scale > prev.scale || cur.zeroCount < prev.zeroCount) return { reset: true };
    const before = exponentialBuckets(prev, cur.scale);
    const counts = cur.counts.map((c, k) => c - (before.get(cur.offset + k) ?? 0));
    for (const [i, c] of before) if (c > 0 && (i < cur.offset || i >= cur.offset + cur.counts.length)) return { reset: true };
    if (counts.some((c) => c < 0)) return { reset: true };
    return {
      reset: false,
      delta: { ...cur, counts, zeroCount: cur.zeroCount - prev.zeroCount, count: cur.count - prev.count, sum: cur.sum !== null && prev.sum !== null ? cur.sum - prev.sum : null },
    };
  }
  return { reset: true };
}

/** Which run a data point's version belongs to, by its explicit side, its flag variant or its version. */
export type SideHint = { side: string | null; version: string | null; variant?: string | null };

/**
 * The side a data point speaks for: an explicit `flightdeck.side` (baseline | canary) wins; for a
 * flag run (issue 15) the variant the user was served (`feature_flag.result.variant`): the run's
 * new variant is the canary, any other the baseline; else its version compared with the run's
 * (the canary's first when both are the same version); null when it names neither — such points
 * are refused, never guessed.
 */
export function sideOf(hint: SideHint, run: { baselineVersion: string; targetVersion: string; flagVariant?: string | null }): Side | null {
  if (hint.side === "baseline" || hint.side === "canary") return hint.side;
  if (hint.side !== null) return null;
  if (run.flagVariant && hint.variant) return hint.variant === run.flagVariant ? "canary" : "baseline";
  if (hint.version === run.targetVersion) return "canary";
  if (hint.version === run.baselineVersion) return "baseline";
  return null;
}

/**
 * The HTTP status a data point stands for: `http.response.status_code` (stable) or
 * `http.status_code` (old); a point with `error.type` but no status is a request that failed
 * before any response (status 0, an error to the analysis like a failed connection); neither is a
 * plain success.
 */
export function statusOf(status: number | null, errorType: string | null): number {
  if (status !== null && Number.isInteger(status)) return status;
  return errorType !== null ? 0 : 200;
}
