import { describe, expect, it } from "vitest";
import { simulateCanary, type CanaryScenario, type SimulationResult } from "./simulate.ts";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

function runAll(seeds: number[], scenario: Omit<CanaryScenario, "seed">): SimulationResult[] {
  return seeds.map((seed) => simulateCanary({ ...scenario, seed }));
}

/** Detection times of runs that all detected (fails the test otherwise), sorted. */
function detectionTimes(results: SimulationResult[]): number[] {
  const times = results.map((r) => r.detectedAtMs);
  expect(times).not.toContain(null);
  return times.filter((t): t is number => t !== null).sort((a, b) => a - b);
}

function median(sorted: number[]): number {
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? (sorted[Math.floor(mid)] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

// The canary's lognormal latency (σ = 0.5) scaled so that 20% of its requests are slower than
// 1.5 × the baseline's p95: exp(σ·(z0.95 − z0.80)) × 1.5 ≈ 2.24.
const TWENTY_PERCENT_SLOW = 1.5 * Math.exp(0.5 * (1.6448536269514722 - 0.8416212335729143));

describe("simulated canaries at 10 requests/s, evaluated every 250 ms", () => {
  it("rolls back a canary failing half its requests within about a second", () => {
    const times = detectionTimes(runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.5, durationMs: MINUTE }));
    expect(median(times)).toBeLessThanOrEqual(1 * SECOND);
    expect(times.at(-1)).toBeLessThanOrEqual(2 * SECOND);
  });

  it("rolls back a canary failing 5% of requests within half a minute (median)", () => {
    const results = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.05, durationMs: 10 * MINUTE });
    expect(median(detectionTimes(results))).toBeLessThanOrEqual(30 * SECOND);
    expect(results.every((r) => r.rollback?.trigger === "error-rate")).toBe(true);
  });

  it("leaves healthy canaries alone: 100 watched for 30 minutes at 0.1% errors, no false rollback", () => {
    const results = runAll(
      Array.from({ length: 100 }, (_, i) => 1_000 + i),
      { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE },
    );
    expect(results.filter((r) => r.detectedAtMs !== null).length).toBeLessThanOrEqual(1);
    expect(results.every((r) => r.requests > 17_000)).toBe(true);
  });

  it("asks a human at 0.5% errors (above the 0.1% hold level) and never rolls back", () => {
    const results = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.005, durationMs: 30 * MINUTE });
    expect(results.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
    expect(results.filter((r) => r.heldAtMs !== null).length).toBeGreaterThanOrEqual(18);
  });

  it("rolls back a canary whose slow tail grew: 20% of requests above 1.5 × baseline p95", () => {
    const results = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 5 * MINUTE, latency: { canaryMultiplier: TWENTY_PERCENT_SLOW } });
    expect(median(detectionTimes(results))).toBeLessThanOrEqual(15 * SECOND);
    expect(results.every((r) => r.rollback?.trigger === "latency-p95" || r.rollback?.trigger === "latency-p99")).toBe(true);
  });

  it("does not roll back a canary with the baseline's latency, nor one sitting exactly at p95 = 1.5 × baseline", () => {
    const same = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE });
    const atLimit = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 10 * MINUTE, latency: { canaryMultiplier: 1.5 } });
    expect(same.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
    expect(atLimit.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
  });

  it("replays the same canary from the same seed", () => {
    const scenario = { seed: 42, requestsPerSecond: 10, errorRate: 0.05, durationMs: 10 * MINUTE };
    expect(simulateCanary(scenario)).toEqual(simulateCanary(scenario));
    expect(simulateCanary({ ...scenario, seed: 43 }).requests).not.toBe(simulateCanary(scenario).requests);
  });
});
