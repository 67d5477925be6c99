import { describe, expect, it } from "vitest";
import { logEvidenceBelow, requestsUntilBelow, shownBelow, upperBound } from "./confidence.ts";
import { mulberry32 } from "./simulate.ts";

describe("evidence of health", () => {
  it("wrongly shows a canary at the threshold to be below it at most α of the time, checked after every request", () => {
    const alpha = 0.05;
    const theta = 0.02;
    const runs = 300;
    let wrong = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const random = mulberry32(seed);
      let k = 0;
      for (let n = 1; n <= 2_000; n++) {
        if (random() < theta) k++;
        if (n % 10 === 0 && shownBelow(n, k, theta, alpha)) {
          wrong++;
          break;
        }
      }
    }
    expect(wrong / runs).toBeLessThanOrEqual(alpha + 0.03);
  });

  it("needs hundreds of clean requests to show an error rate below 1% — no data is never health", () => {
    expect(shownBelow(0, 0, 0.01, 0.01)).toBe(false);
    expect(shownBelow(170, 0, 0.01, 0.01)).toBe(false);
    const needed = requestsUntilBelow(0, 0, 0.01, 0.01);
    expect(needed).toBeGreaterThan(300);
    expect(needed).toBeLessThan(1_500);
    expect(shownBelow(needed + 50, 0, 0.01, 0.01)).toBe(true);
  });

  it("says how many more requests a canary failing at its current rate needs, or that it never will", () => {
    const more = requestsUntilBelow(500, 1, 0.01, 0.01);
    expect(more).toBeGreaterThan(0);
    expect(shownBelow(500 + more, 1 + Math.round((1 / 500) * more), 0.01, 0.01)).toBe(true);
    expect(requestsUntilBelow(100, 2, 0.01, 0.01)).toBe(Infinity); // 2% so far: not below 1% at that rate
  });

  it("bounds the rate from above, tighter with more data, and never below what was observed", () => {
    const small = upperBound(200, 2, 0.01);
    const large = upperBound(20_000, 200, 0.01);
    expect(small).toBeGreaterThan(0.01);
    expect(large).toBeLessThan(small);
    expect(large).toBeGreaterThan(0.01);
    expect(large).toBeLessThan(0.02);
    expect(upperBound(0, 0, 0.01)).toBe(1);
    expect(logEvidenceBelow(0, 0, 0.01)).toBe(0);
  });
});
