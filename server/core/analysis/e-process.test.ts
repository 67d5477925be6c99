import { describe, expect, it } from "vitest";
import { alternativesGrid, createEProcess, eProcessFor, logE, requiredSamples } from "./e-process.ts";
import { mulberry32 } from "./simulate.ts";

describe("the e-process", () => {
  it("false-alarms at most α of the time under H0, however long it is watched (Ville)", () => {
    // 1000 canaries failing at exactly the threshold rate, each watched for 2,000 requests and
    // checked after every single request. E falls with every good request, so its running maximum
    // is reached right after a bad one: checking there is checking after every request.
    const p0 = 0.05;
    const alpha = 0.05;
    const process = eProcessFor(p0);
    const random = mulberry32(7);
    let crossed = 0;
    for (let run = 0; run < 1000; run++) {
      let bad = 0;
      for (let n = 1; n <= 2000; n++) {
        if (random() >= p0) continue;
        bad += 1;
        if (process.logE(n, bad) >= Math.log(1 / alpha)) {
          crossed += 1;
          break;
        }
      }
    }
    expect(crossed / 1000).toBeLessThanOrEqual(2 * alpha);
  });

  it("starts at no evidence and gains it only from bad events", () => {
    const process = eProcessFor(0.01);
    expect(process.logE(0, 0)).toBeCloseTo(0, 12);
    expect(process.logE(100, 0)).toBeLessThan(process.logE(99, 0));
    expect(process.logE(100, 5)).toBeGreaterThan(process.logE(100, 4));
  });

  it("gives the same answer precomputed as from the formula, and stays finite at a million requests", () => {
    const grid = alternativesGrid(0.01);
    const direct = logE(5_000, 240, 0.01, grid);
    expect(createEProcess(0.01).logE(5_000, 240)).toBeCloseTo(direct, 9);
    // Brute force over the same grid without log-sum-exp, where it does not overflow.
    const brute = Math.log(grid.reduce((sum, p) => sum + (p / 0.01) ** 3 * ((1 - p) / 0.99) ** 17, 0) / grid.length);
    expect(logE(20, 3, 0.01, grid)).toBeCloseTo(brute, 9);
    const huge = eProcessFor(0.01).logE(1_000_000, 50_000);
    expect(Number.isFinite(huge)).toBe(true);
    expect(huge).toBeGreaterThan(1_000);
  });

  it("averages over alternatives from just above the threshold to near-certain failure", () => {
    const grid = alternativesGrid(0.01);
    expect(grid).toHaveLength(300);
    expect(grid[0]).toBeCloseTo(0.0105, 10);
    expect(grid.at(-1)).toBeCloseTo(0.99, 10);
    // For a conversion floor, bad = "did not convert" and p0 is near 1: alternatives still lie above it.
    const conversion = alternativesGrid(0.96);
    expect(Math.min(...conversion)).toBeGreaterThan(0.96);
    expect(Math.max(...conversion)).toBeLessThan(1);
  });

  it("rejects counts that cannot happen rather than inventing evidence", () => {
    expect(() => eProcessFor(0.01).logE(10, 11)).toThrow(RangeError);
    expect(() => logE(10, 1, 0.01, [0.005])).toThrow(RangeError);
  });
});

describe("requiredSamples", () => {
  it("is the fewest requests at which a canary failing at the rate that matters would be caught", () => {
    for (const [p0, pAlt] of [
      [0.01, 0.02],
      [0.05, 0.1],
      [0.01, 0.05],
    ] as const) {
      const alpha = 0.0025;
      const process = eProcessFor(p0);
      let scanned = 1;
      while (process.logE(scanned, Math.round(pAlt * scanned)) < Math.log(1 / alpha)) scanned += 1;
      expect(requiredSamples(p0, pAlt, alpha)).toBe(scanned);
    }
  });

  it("asks for about two thousand requests to catch a 2% error rate against a 1% threshold", () => {
    const n = requiredSamples(0.01, 0.02, 0.0025);
    expect(n).toBeGreaterThan(1_500);
    expect(n).toBeLessThan(3_000);
  });

  it("is infinite when the rate to catch is not above the threshold", () => {
    expect(requiredSamples(0.01, 0.01, 0.01)).toBe(Infinity);
  });
});
