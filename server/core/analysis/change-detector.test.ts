import { describe, expect, it } from "vitest";
import { advanceDetector, changeGrid, readDetector, startDetector, type DetectorState } from "./change-detector.ts";
import { mulberry32 } from "./simulate.ts";

/** Feeds batches of `size` requests with bad probability `rate(i)` until the detector fires or `batches` run out. */
function watch(seed: number, p0: number, alpha: number, batches: number, size: number, rate: (batch: number) => number): { firedAt: number | null; state: DetectorState } {
  const random = mulberry32(seed);
  const threshold = Math.log(1 / alpha);
  let state = startDetector(p0, 0);
  for (let i = 0; i < batches; i++) {
    let k = 0;
    for (let j = 0; j < size; j++) if (random() < rate(i)) k++;
    state = advanceDetector(state, { n: size, k, at: (i + 1) * 250 }, threshold);
    if (readDetector(state).logR >= threshold) return { firedAt: i, state };
  }
  return { firedAt: null, state };
}

describe("the change detector", () => {
  it("keeps its false-alarm rate below α for a canary sitting exactly at the threshold, however long it is watched", () => {
    const alpha = 0.05;
    const runs = 200;
    let alarms = 0;
    for (let seed = 1; seed <= runs; seed++) if (watch(seed, 0.05, alpha, 300, 5, () => 0.05).firedAt !== null) alarms++;
    // Ville: P(ever) ≤ α. 200 runs: allow binomial noise above 5% (10 expected at most).
    expect(alarms / runs).toBeLessThanOrEqual(alpha + 0.03);
  });

  it("catches a fault that begins late about as fast as one present from the start", () => {
    const alpha = 0.0027;
    const early: number[] = [];
    const late: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const a = watch(seed, 0.01, alpha, 2_000, 3, () => 0.05).firedAt;
      const b = watch(seed, 0.01, alpha, 3_200, 3, (i) => (i < 1_200 ? 0.001 : 0.05)).firedAt;
      if (a !== null) early.push(a);
      if (b !== null) late.push(b - 1_200);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Infinity;
    expect(early).toHaveLength(40);
    expect(late).toHaveLength(40);
    // A cumulative test from the step's start needed several times longer after 1,200 healthy batches.
    expect(median(late)).toBeLessThanOrEqual(1.8 * median(early));
  });

  it("names the window where the bad events began, so its rate is the fault's and not the step's average", () => {
    const { state } = watch(7, 0.01, 0.0027, 3_200, 3, (i) => (i < 1_200 ? 0.001 : 0.5));
    const { strongest } = readDetector(state);
    expect(strongest).not.toBeNull();
    expect(strongest?.since ?? 0).toBeGreaterThanOrEqual(1_150 * 250);
    expect((strongest?.k ?? 0) / (strongest?.n ?? 1)).toBeGreaterThan(0.3);
  });

  it("replays exactly: the same batches give the same statistic, bit for bit", () => {
    const a = watch(11, 0.01, 0.01, 500, 4, (i) => (i < 200 ? 0.002 : 0.03)).state;
    const b = watch(11, 0.01, 0.01, 500, 4, (i) => (i < 200 ? 0.002 : 0.03)).state;
    expect(readDetector(a).logR).toBe(readDetector(b).logR);
    expect(a).toEqual(b);
  });

  it("keeps memory bounded: a busy healthy canary never holds more than a few dozen candidate change points", () => {
    const { state } = watch(3, 0.075, 0.001, 5_000, 10, () => 0.05);
    expect(state.candidates.length).toBeLessThanOrEqual(32);
    expect(state.started).toBeGreaterThan(1_000);
  });

  it("averages over alternatives above p0 only, and mirrors for a conversion-like p0 near 1", () => {
    const low = changeGrid(0.01);
    expect(Math.min(...low.grid)).toBeGreaterThan(0.01);
    expect(low.prior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const high = changeGrid(0.75);
    expect(Math.min(...high.grid)).toBeGreaterThan(0.75);
    expect(Math.max(...high.grid)).toBeLessThan(1);
  });

  it("refuses counts that do not add up", () => {
    expect(() => advanceDetector(startDetector(0.01, 0), { n: 3, k: 4, at: 1 }, 5)).toThrow(RangeError);
  });
});
