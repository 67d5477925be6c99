import { describe, expect, it } from "vitest";
import {
  cumulativeDelta,
  exponentialBucketBounds,
  histogramProblem,
  latencyRanges,
  msPerUnit,
  sideOf,
  spreadRange,
  statusOf,
  type ExplicitHistogram,
  type ExponentialHistogram,
  type LatencyRange,
} from "./otlp-histogram.ts";

const explicit = (bounds: number[], counts: number[], sum: number | null = null): ExplicitHistogram => ({ kind: "explicit", bounds, counts, count: counts.reduce((s, c) => s + c, 0), sum });
const expo = (scale: number, offset: number, counts: number[], zeroCount = 0): ExponentialHistogram => ({
  kind: "exponential",
  scale,
  offset,
  counts,
  zeroCount,
  count: zeroCount + counts.reduce((s, c) => s + c, 0),
  sum: null,
});
/** Every request a set of ranges stands for, as latencies, spread as the receiver does. */
const latencies = (ranges: LatencyRange[], maxPositions = 1_000) => ranges.flatMap((r) => spreadRange(r, maxPositions)).flatMap((w) => new Array<number>(w.count).fill(w.latencyMs));

describe("explicit buckets", () => {
  it("places each bucket's requests evenly inside it, in milliseconds from seconds", () => {
    // 0.1 s and 0.25 s bounds: 2 requests up to 100 ms, 2 in (100, 250] ms, 1 above.
    const ranges = latencyRanges(explicit([0.1, 0.25], [2, 2, 1]), msPerUnit("s", "http.server.request.duration") ?? NaN);
    expect(latencies(ranges)).toEqual([25, 75, 137.5, 212.5, 250]);
  });

  it("keeps the work per bucket bounded: a million requests in one bucket are a few weighted positions summing to a million", () => {
    const spread = spreadRange({ lowerMs: 100, upperMs: 200, count: 1_000_000, spacing: "linear" }, 16);
    expect(spread).toHaveLength(16);
    expect(spread.reduce((s, w) => s + w.count, 0)).toBe(1_000_000);
    expect(spread[0]?.latencyMs).toBeCloseTo(103.125);
    expect(spread.at(-1)?.latencyMs).toBeCloseTo(196.875);
  });

  it("a histogram without bounds puts its requests at the mean, or nowhere without a sum", () => {
    expect(latencies(latencyRanges(explicit([], [4], 2), 1000))).toEqual([500, 500, 500, 500]);
    expect(latencyRanges(explicit([], [4]), 1000)).toEqual([]);
  });

  it("refuses shapes OTLP does not allow, with the reason", () => {
    expect(histogramProblem(explicit([0.1, 0.2], [1, 2]))).toMatch(/2 explicit bounds need 3 bucket counts, not 2/);
    expect(histogramProblem(explicit([0.2, 0.1], [1, 2, 3]))).toMatch(/increasing/);
    expect(histogramProblem(explicit([0.1], [1, -2]))).toMatch(/not negative/);
    expect(histogramProblem(explicit([0.1], [1, 2]))).toBeNull();
  });
});

describe("exponential buckets", () => {
  it("scale 1 (base √2): bucket i holds (2^(i/2), 2^((i+1)/2)], requests placed geometrically, zero bucket at 0", () => {
    expect(exponentialBucketBounds(1, 6)).toEqual({ lower: 8, upper: 2 ** 3.5 });
    // offset 6 in ms: one request in (8, 11.31], two in (11.31, 16]; one at zero.
    const ranges = latencyRanges(expo(1, 6, [1, 2], 1), 1);
    const got = latencies(ranges);
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(8 * 2 ** 0.25, 6); // the geometric middle of (8, 8√2]
    expect(got[2]).toBeCloseTo(2 ** 3.5 * 2 ** 0.125, 6);
    expect(got[3]).toBeCloseTo(2 ** 3.5 * 2 ** 0.375, 6);
    expect(got).toHaveLength(4);
  });

  it("negative scale -1 (base 4): bucket i holds (4^i, 4^(i+1)]", () => {
    expect(exponentialBucketBounds(-1, 2)).toEqual({ lower: 16, upper: 64 });
    const [r] = latencyRanges(expo(-1, 2, [3]), 0.001); // microseconds → ms
    expect(r).toEqual({ lowerMs: 0.016, upperMs: 0.064, count: 3, spacing: "geometric" });
    const got = latencies(latencyRanges(expo(-1, 2, [1]), 1));
    expect(got).toEqual([32]); // the geometric middle of (16, 64]
  });

  it("refuses a scale outside OTLP's range", () => {
    expect(histogramProblem(expo(21, 0, [1]))).toMatch(/scale 21/);
    expect(histogramProblem(expo(-10, 0, [1]))).toBeNull();
  });
});

describe("cumulative streams", () => {
  it("feeds what was counted since the previous export", () => {
    const d = cumulativeDelta(explicit([0.1, 0.2], [1, 2, 0], 0.3), explicit([0.1, 0.2], [4, 2, 1], 0.9));
    expect(d).toEqual({ reset: false, delta: { kind: "explicit", bounds: [0.1, 0.2], counts: [3, 0, 1], count: 4, sum: expect.closeTo(0.6) as unknown } });
  });

  it("counts going down are a restart, not negative requests", () => {
    expect(cumulativeDelta(explicit([0.1], [5, 5]), explicit([0.1], [2, 1]))).toEqual({ reset: true });
    // Total up but one bucket down: still not a running total of the same process.
    expect(cumulativeDelta(explicit([0.1], [5, 5]), explicit([0.1], [4, 9]))).toEqual({ reset: true });
    expect(cumulativeDelta(explicit([0.1], [5, 5]), explicit([0.2], [6, 6]))).toEqual({ reset: true });
  });

  it("exponential: a lowered scale merges the previous buckets down before subtracting", () => {
    // Scale 1 buckets 4 and 5 both fall in bucket 2 at scale 0 (4 >> 1 = 5 >> 1 = 2).
    const prev = expo(1, 4, [1, 2], 1);
    const cur = expo(0, 2, [5, 1], 2);
    expect(cumulativeDelta(prev, cur)).toEqual({ reset: false, delta: { ...cur, counts: [2, 1], zeroCount: 1, count: 4 } });
    // Negative indices round down too: bucket -3 at scale 1 is bucket -2 at scale 0.
    expect(cumulativeDelta(expo(1, -3, [1]), expo(0, -2, [3]))).toEqual({ reset: false, delta: { ...expo(0, -2, [2]), count: 2 } });
    // A raised scale cannot come from the same running histogram.
    expect(cumulativeDelta(expo(0, 2, [1]), expo(1, 4, [3]))).toEqual({ reset: true });
  });
});

describe("side and status", () => {
  const run = { baselineVersion: "1.0.0", targetVersion: "1.1.0" };
  it("an explicit side wins, else the version decides; an unknown version is refused, not guessed", () => {
    expect(sideOf({ side: "baseline", version: "1.1.0" }, run)).toBe("baseline");
    expect(sideOf({ side: null, version: "1.1.0" }, run)).toBe("canary");
    expect(sideOf({ side: null, version: "1.0.0" }, run)).toBe("baseline");
    expect(sideOf({ side: null, version: "2.0.0" }, run)).toBeNull();
    expect(sideOf({ side: null, version: null }, run)).toBeNull();
    expect(sideOf({ side: "green", version: "1.1.0" }, run)).toBeNull();
    // A flag run (issue 15): the variant served decides; a version run ignores it.
    const flagRun = { baselineVersion: "new-checkout → off", targetVersion: "new-checkout → on", flagVariant: "on" };
    expect(sideOf({ side: null, version: null, variant: "on" }, flagRun)).toBe("canary");
    expect(sideOf({ side: null, version: "1.0.0", variant: "off" }, flagRun)).toBe("baseline");
    expect(sideOf({ side: null, version: null, variant: "beta" }, flagRun)).toBe("baseline");
    expect(sideOf({ side: null, version: null }, flagRun)).toBeNull();
    expect(sideOf({ side: null, version: null, variant: "on" }, run)).toBeNull();
  });

  it("5xx are errors to the aggregator, a request without a response is status 0", () => {
    expect(statusOf(503, null)).toBe(503);
    expect(statusOf(null, "timeout")).toBe(0);
    expect(statusOf(null, null)).toBe(200);
  });

  it("knows duration units and the conventions' defaults", () => {
    expect(msPerUnit("", "http.server.request.duration")).toBe(1000);
    expect(msPerUnit("", "http.server.duration")).toBe(1);
    expect(msPerUnit("By", "http.server.duration")).toBeNull();
  });
});
