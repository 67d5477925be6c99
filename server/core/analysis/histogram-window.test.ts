import { describe, expect, it } from "vitest";
import { apportion, bucketCounts, NO_CARRY, requestsFromWindow, type CountedWindow } from "./histogram-window.ts";

const inf = Number.POSITIVE_INFINITY;

describe("a counted histogram window as requests", () => {
  it("places each request inside its bucket and counts the errors", () => {
    const w: CountedWindow = { requests: 10, errors: 2, buckets: [{ le: 0.01, count: 4 }, { le: 0.05, count: 9 }, { le: inf, count: 10 }] };
    const { requests, carry, skipped } = requestsFromWindow(w, NO_CARRY);
    expect(skipped).toBeNull();
    expect(requests).toHaveLength(10);
    expect(requests.filter((r) => r.status >= 500)).toHaveLength(2);
    const ms = requests.map((r) => r.latencyMs);
    expect(ms.filter((m) => m > 0 && m < 10)).toHaveLength(4);
    expect(ms.filter((m) => m > 10 && m < 50)).toHaveLength(5);
    // +Inf: at the highest finite bound, as histogram_quantile answers
    expect(ms.filter((m) => m === 50)).toHaveLength(1);
    expect(carry).toEqual({ requests: 0, errors: 0 });
  });

  it("carries increase()'s fractions so that no request is lost or invented over many windows", () => {
    let carry = NO_CARRY;
    let observed = 0;
    let errors = 0;
    for (let i = 0; i < 30; i++) {
      const out = requestsFromWindow({ requests: 14.7, errors: 0.35, buckets: [{ le: 0.02, count: 7.3 }, { le: inf, count: 14.7 }] }, carry);
      carry = out.carry;
      observed += out.requests.length;
      errors += out.requests.filter((r) => r.status === 500).length;
    }
    expect(observed).toBe(Math.floor(14.7 * 30 + 1e-9));
    expect(errors).toBe(10);
  });

  it("observes nothing for a window without data, and nothing without a histogram (said, and kept for later)", () => {
    expect(requestsFromWindow({ requests: 0, errors: 0, buckets: [] }, NO_CARRY).requests).toEqual([]);
    const noHist = requestsFromWindow({ requests: 5, errors: 1, buckets: [] }, NO_CARRY);
    expect(noHist.requests).toEqual([]);
    expect(noHist.skipped).toBe("no-histogram");
  });

  it("lifts a cumulative count that goes down (series scraped at different moments) instead of a negative bucket", () => {
    const b = bucketCounts([{ le: 0.1, count: 5 }, { le: 0.05, count: 6 }, { le: inf, count: 7 }]);
    expect(b.map((x) => x.count)).toEqual([6, 0, 1]);
    expect(b.every((x) => x.count >= 0)).toBe(true);
  });

  it("ignores NaN and negative counts (a counter reset Prometheus could not hide)", () => {
    const out = requestsFromWindow({ requests: Number.NaN, errors: -3, buckets: [{ le: inf, count: Number.NaN }] }, NO_CARRY);
    expect(out.requests).toEqual([]);
  });

  it("apportions exactly n by largest remainder", () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
    expect(apportion(7, [0, 0])).toEqual([0, 0]);
  });
});
