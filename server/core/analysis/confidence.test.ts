import { describe, expect, it } from "vitest";
import { logEvidenceAbove, lowerBound, upperBound } from "./confidence.ts";
import { alternativesGrid, logE } from "./e-process.ts";
import { mulberry32 } from "./simulate.ts";

describe("the lower confidence bound", () => {
  it("stays below the canary's true error rate in all but about α of canaries, however often it is read", () => {
    // 300 canaries failing at 5%, each read after every 50 requests up to 3,000: the band may be
    // drawn after every evaluation and still claim a higher rate than the truth only rarely.
    const truth = 0.05;
    const alpha = 0.05;
    const random = mulberry32(11);
    let overclaimed = 0;
    for (let run = 0; run < 300; run++) {
      let bad = 0;
      for (let n = 1; n <= 3_000; n++) {
        if (random() < truth) bad += 1;
        if (n % 50 === 0 && lowerBound(n, bad, alpha) > truth) {
          overclaimed += 1;
          break;
        }
      }
    }
    expect(overclaimed / 300).toBeLessThanOrEqual(alpha);
  });

  it("says nothing without bad requests, and nothing from one error in a handful", () => {
    expect(lowerBound(0, 0, 0.01)).toBe(0);
    expect(lowerBound(5_000, 0, 0.01)).toBe(0);
    // One error in three is evidence only that errors are not vanishingly rare.
    expect(lowerBound(3, 1, 0.01)).toBeLessThan(0.001);
  });

  it("rises with more errors, tightens with more requests, and never passes the observed rate", () => {
    expect(lowerBound(100, 30, 0.01)).toBeGreaterThan(lowerBound(100, 20, 0.01));
    expect(lowerBound(1_000, 300, 0.01)).toBeGreaterThan(lowerBound(100, 30, 0.01));
    expect(lowerBound(100, 30, 0.05)).toBeGreaterThan(lowerBound(100, 30, 0.001));
    for (const [n, k] of [[48, 23], [200, 200], [10_000, 150]] as const) {
      expect(lowerBound(n, k, 0.01)).toBeLessThan(k / n);
      expect(lowerBound(n, k, 0.01)).toBeLessThan(upperBound(n, k, 0.01));
    }
  });

  it("shows a canary failing half its requests to be above a 1% threshold within a few dozen requests", () => {
    // The band's low edge leaves the safe side: what the difference chart marks.
    expect(lowerBound(48, 23, 0.002)).toBeGreaterThan(0.01);
    expect(lowerBound(10, 1, 0.002)).toBeLessThan(0.01);
  });

  it("is the dual of the e-process over its own alternatives", () => {
    for (const [n, k, theta] of [[48, 23, 0.01], [2_000, 30, 0.005], [500, 480, 0.9]] as const) {
      expect(logEvidenceAbove(n, k, theta)).toBeCloseTo(logE(n, k, theta, alternativesGrid(theta, 60)), 8);
    }
  });

  it("refuses counts that cannot be", () => {
    expect(() => lowerBound(10, 11, 0.01)).toThrow(RangeError);
    expect(() => lowerBound(10, 1, 0)).toThrow(RangeError);
    expect(() => lowerBound(2.5, 1, 0.01)).toThrow(RangeError);
  });
});
