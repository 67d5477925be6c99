import { describe, expect, it } from "vitest";
import { lowerBound } from "./confidence.ts";
import { evidenceSeries, MAX_HISTORY_POINTS, thinIndices, type StoredTestEvaluation } from "./evidence-history.ts";
import type { Verdict } from "./triggers.ts";

function errorTest(n: number, k: number, verdict: Verdict, extra: Partial<StoredTestEvaluation> = {}): StoredTestEvaluation {
  return {
    trigger: "error-rate",
    level: "rollback",
    verdict,
    n,
    k,
    p0: 0.01,
    observedRate: n > 0 ? k / n : null,
    baselineFigure: 0.002,
    logE: 0,
    logThreshold: Math.log(500),
    alpha: 0.002,
    window: null,
    upperBound: null,
    ...extra,
  };
}

describe("thinning a step's evaluations", () => {
  it("sends an hour of one-per-second evaluations as at most 300 points, keeping the first, the last and the moment it rolled back", () => {
    const signatures = Array.from({ length: 3_600 }, (_, i) => (i < 2_000 ? "insufficient" : i < 3_000 ? "pass" : "rollback"));
    const kept = thinIndices(signatures);
    expect(kept.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(kept.length).toBeGreaterThan(MAX_HISTORY_POINTS - 5);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept).toContain(0);
    expect(kept).toContain(3_599);
    expect(kept).toContain(2_000);
    expect(kept).toContain(3_000);
    // Picked evenly: no stretch of the hour is left without points.
    const gaps = kept.slice(1).map((i, j) => i - (kept[j] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(30);
  });

  it("keeps every evaluation of a short step", () => {
    expect(thinIndices(["pass", "pass", "hold"])).toEqual([0, 1, 2]);
  });

  it("does not grow past the limit when a verdict flaps every second, yet keeps the first of each verdict", () => {
    const signatures = Array.from({ length: 5_000 }, (_, i) => (i === 4_321 ? "rollback" : i % 2 === 0 ? "pass" : "insufficient"));
    const kept = thinIndices(signatures);
    expect(kept.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(kept).toEqual(expect.arrayContaining([0, 1, 4_321, 4_999]));
  });
});

describe("the series per test", () => {
  it("gives each test its own series with the lower bound at its α and the window the detector saw", () => {
    const series = evidenceSeries([
      { at: 1_000, tests: [errorTest(0, 0, "insufficient"), { ...errorTest(0, 0, "insufficient"), trigger: "latency-p95", p0: 0.05 }] },
      { at: 2_000, tests: [errorTest(48, 23, "rollback", { window: { since: 1_500, n: 40, k: 23 } })] },
    ]);
    expect(series.map((s) => s.trigger)).toEqual(["error-rate", "latency-p95"]);
    const [first, second] = series[0]?.points ?? [];
    expect(first).toMatchObject({ at: 1_000, n: 0, lowerBound: null, upperBound: null, windowRate: null });
    expect(second).toMatchObject({ at: 2_000, n: 48, k: 23, verdict: "rollback", windowSince: 1_500, windowRate: 23 / 40 });
    expect(second?.lowerBound).toBe(lowerBound(48, 23, 0.002));
    // Half the requests failing: the band's low edge is far above the 1% threshold.
    expect(second?.lowerBound).toBeGreaterThan(0.2);
    // Not stored for this test: computed at the same α, and above the observed rate.
    expect(second?.upperBound).toBeGreaterThan(23 / 48);
  });

  it("keeps a stored upper bound as it is", () => {
    const [series] = evidenceSeries([{ at: 1, tests: [errorTest(2_000, 1, "pass", { upperBound: 0.0071 })] }]);
    expect(series?.points[0]?.upperBound).toBe(0.0071);
  });
});
