import { describe, expect, it } from "vitest";
import { mulberry32 } from "../core/analysis/simulate.ts";
import { countAbove, deserializeSketch, newSketch, quantile, serializeSketch } from "./sketch.ts";

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

describe("latency sketch", () => {
  it("reports p50/p95/p99 within ±2% of the exact values for a skewed latency distribution", () => {
    const rand = mulberry32(7);
    const sketch = newSketch();
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      // lognormal-ish service latency with a slow tail, in ms
      const v = Math.exp(2.3 + 0.6 * Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand()));
      values.push(v);
      sketch.accept(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(values, q);
      const approx = quantile(sketch, q) ?? 0;
      expect(Math.abs(approx - exact) / exact, `p${q * 100}`).toBeLessThanOrEqual(0.02);
    }
  });

  it("merges windows exactly and survives serialization, so 10 s windows add up to the step", () => {
    const a = newSketch();
    const b = newSketch();
    const whole = newSketch();
    for (let i = 1; i <= 1000; i++) {
      (i % 2 ? a : b).accept(i);
      whole.accept(i);
    }
    const merged = deserializeSketch(serializeSketch(a));
    merged.merge(deserializeSketch(serializeSketch(b)));
    expect(merged.count).toBe(1000);
    for (const q of [0.5, 0.95, 0.99]) expect(quantile(merged, q)).toBeCloseTo(quantile(whole, q) ?? 0, 6);
  });

  it("counts values above a threshold to within one bin, never over-counting", () => {
    const sketch = newSketch();
    for (let i = 1; i <= 1000; i++) sketch.accept(i);
    const above = countAbove(sketch, 900);
    expect(above).toBeLessThanOrEqual(100);
    expect(above).toBeGreaterThanOrEqual(1000 - Math.ceil(900 * 1.02)); // one bin is ±1% wide
    expect(countAbove(sketch, 5000)).toBe(0);
    expect(countAbove(newSketch(), 10)).toBe(0);
  });
});
