/**
 * Turns what a metrics backend counted for one side over one poll window — requests, errors and
 * a cumulative latency histogram (Prometheus' `le` buckets, in seconds) — into the per-request
 * observations the analysis is fed by routers, so a Prometheus-fed canary is judged by exactly
 * the same tests as a router-fed one.
 *
 * Why requests and not a new kind of input: the analysis compares error counts (binomial tests)
 * and counts of requests slower than a threshold taken from the baseline's quantiles. A histogram
 * only knows which bucket a request fell in, so each request is placed inside its bucket at evenly
 * spaced positions — the same linear interpolation `histogram_quantile` uses — and requests in
 * the +Inf bucket at the highest finite bound (as `histogram_quantile` answers). The analysis
 * therefore sees latencies no finer than the buckets: a shift that stays inside one bucket is
 * invisible, which is why the demo's buckets are fine around its typical latency.
 *
 * `increase()` extrapolates to the window's edges, so counts come back fractional; the fractions
 * are carried to the next window instead of being rounded away, so no request is lost or invented
 * over a run however the windows fall.
 */

/** One cumulative bucket: requests at or below `le` seconds (`Infinity` for +Inf). */
export type LatencyBucket = { le: number; count: number };

/** What one side counted over one poll window. */
export type CountedWindow = {
  /** requests in the window (may be fractional: `increase()` extrapolates) */
  requests: number;
  /** of which errors (5xx) */
  errors: number;
  /** cumulative bucket increases over the same window; empty when the histogram had no data */
  buckets: LatencyBucket[];
};

/** Fractions of a request not yet observed, carried from one window to the next (per side). */
export type WindowCarry = { requests: number; errors: number };
export const NO_CARRY: WindowCarry = { requests: 0, errors: 0 };

/** One request as the aggregator takes it. */
export type CountedRequest = { status: number; latencyMs: number };

const finiteOrZero = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/**
 * Spreads `n` whole requests over weights by largest remainder: the result sums to exactly `n`
 * and each share is within one request of its exact proportion.
 */
export function apportion(n: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (n <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / total) * n);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  return out;
}

/**
 * Per-bucket request counts from cumulative buckets, sorted by bound. A cumulative count that
 * goes down (series scraped at slightly different moments) is lifted to the one before it, as
 * Prometheus' own quantile code does, so no bucket is negative.
 */
export function bucketCounts(buckets: LatencyBucket[]): { lowerMs: number; upperMs: number; count: number }[] {
  const sorted = buckets.filter((b) => !Number.isNaN(b.le)).sort((a, b) => a.le - b.le);
  const out: { lowerMs: number; upperMs: number; count: number }[] = [];
  let prevCum = 0;
  let prevLe = 0;
  const highestFinite = sorted.filter((b) => Number.isFinite(b.le)).at(-1)?.le ?? 0;
  for (const b of sorted) {
    const cum = Math.max(prevCum, finiteOrZero(b.count));
    const lower = Math.max(0, prevLe);
    // +Inf: every request in it is placed at the highest finite bound (histogram_quantile's answer).
    const upper = Number.isFinite(b.le) ? b.le : highestFinite;
    out.push({ lowerMs: lower * 1000, upperMs: Math.max(lower, upper) * 1000, count: cum - prevCum });
    prevCum = cum;
    prevLe = Number.isFinite(b.le) ? b.le : prevLe;
  }
  return out;
}

/**
 * The requests to observe for one window, and the carry for the next. No requests counted (or
 * none whole yet) gives none; requests without any histogram data give none either and say so —
 * a request cannot be observed without a latency, and inventing one would bias the latency tests.
 */
export function requestsFromWindow(window: CountedWindow, carry: WindowCarry): { requests: CountedRequest[]; carry: WindowCarry; skipped: "no-histogram" | null } {
  const totalRequests = finiteOrZero(window.requests) + carry.requests;
  const totalErrors = finiteOrZero(window.errors) + carry.errors;
  const n = Math.floor(totalRequests + 1e-9);
  const buckets = bucketCounts(window.buckets);
  const histogramTotal = buckets.reduce((s, b) => s + b.count, 0);
  if (n > 0 && histogramTotal <= 0) return { requests: [], carry: { requests: totalRequests, errors: totalErrors }, skipped: "no-histogram" };
  const e = Math.min(n, Math.floor(totalErrors + 1e-9));
  const perBucket = apportion(n, buckets.map((b) => b.count));
  const requests: CountedRequest[] = [];
  buckets.forEach((b, i) => {
    const k = perBucket[i] ?? 0;
    for (let j = 0; j < k; j++) requests.push({ status: 200, latencyMs: b.lowerMs + ((b.upperMs - b.lowerMs) * (j + 0.5)) / k });
  });
  // Errors spread evenly over the latencies: the counts say how many failed, not how fast they were.
  for (let j = 0; j < e; j++) {
    const r = requests[Math.floor(((j + 0.5) * n) / e)];
    if (r) r.status = 500;
  }
  return { requests, carry: { requests: Math.max(0, totalRequests - n), errors: Math.max(0, totalErrors - e) }, skipped: null };
}
