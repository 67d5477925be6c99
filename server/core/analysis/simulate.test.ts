import { describe, expect, it } from "vitest";
import { analysisFor } from "../policy.ts";
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

// Each case simulates hours of canaries (a second or two of CPU on a quiet machine): on a busy
// shared machine vitest's default 5 s timeout cut two of them short.
describe("simulated canaries at 10 requests/s, evaluated every 250 ms", { timeout: 60_000 }, () => {
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
      { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE, watch: "rollback" },
    );
    expect(results.filter((r) => r.detectedAtMs !== null).length).toBeLessThanOrEqual(1);
    expect(results.every((r) => r.requests > 17_000)).toBe(true);
  });

  it("catches 5% errors that begin five minutes into the step about as fast as from its start", () => {
    const onsetMs = 5 * MINUTE;
    const late = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.05, onsetMs, durationMs: onsetMs + 5 * MINUTE, watch: "rollback" });
    const sinceOnset = detectionTimes(late).map((t) => t - onsetMs);
    // The cumulative test of old took ~3 minutes here; the change detector pays only for not knowing the onset.
    expect(sinceOnset[0]).toBeGreaterThan(0);
    expect(median(sinceOnset)).toBeLessThanOrEqual(35 * SECOND);
    // The reason speaks of the window since the change, so its rate matches the chart, not the step's average.
    const window = late.map((r) => r.rollback).find((e) => e?.method === "e-process" && e.window !== null);
    expect(window?.method === "e-process" && window.window ? window.window.since : 0).toBeGreaterThanOrEqual(onsetMs - 5 * SECOND);
  });

  it("asks a human at 0.5% errors (above the 0.1% hold level) and never rolls back", () => {
    const results = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.005, durationMs: 30 * MINUTE });
    expect(results.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
    expect(results.filter((r) => r.heldAtMs !== null).length).toBeGreaterThanOrEqual(18);
  });

  it("rolls back a doubled p95 within seconds, and holds a +50% p95 for a human without rolling it back", () => {
    const doubled = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 5 * MINUTE, latency: { canaryMultiplier: 2 } });
    expect(median(detectionTimes(doubled))).toBeLessThanOrEqual(15 * SECOND);
    expect(doubled.every((r) => r.rollback?.trigger === "latency-p95" || r.rollback?.trigger === "latency-p99")).toBe(true);
    const half = runAll(SEEDS.slice(0, 10), { requestsPerSecond: 10, errorRate: 0.001, durationMs: 5 * MINUTE, latency: { canaryMultiplier: 1.5 } });
    expect(half.filter((r) => r.heldAtMs !== null).length).toBeGreaterThanOrEqual(9);
  });

  it("does not roll back a canary with the baseline's latency, nor one 25% slower (within policy)", () => {
    const same = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE, watch: "rollback" });
    const slower = runAll(SEEDS, { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE, watch: "rollback", latency: { canaryMultiplier: 1.25 } });
    expect(same.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
    expect(slower.filter((r) => r.detectedAtMs !== null)).toHaveLength(0);
  });

  it("never promotes a 0.5 req/s production canary in 30 minutes on absence of evidence", () => {
    const config = analysisFor("production");
    const results = runAll(SEEDS.slice(0, 5), { requestsPerSecond: 0.5, errorRate: 0.001, durationMs: 30 * MINUTE, config, judgeHealthEveryMs: 10 * SECOND });
    expect(results.filter((r) => r.promotableAtMs !== null)).toHaveLength(0);
    // The same canary at 10 req/s shows its health within the 30-minute step.
    const busy = runAll(SEEDS.slice(0, 5), { requestsPerSecond: 10, errorRate: 0.001, durationMs: 30 * MINUTE, config, judgeHealthEveryMs: 10 * SECOND });
    expect(busy.every((r) => r.promotableAtMs !== null && r.detectedAtMs === null)).toBe(true);
  });

  it("replays the same canary from the same seed", () => {
    const scenario = { seed: 42, requestsPerSecond: 10, errorRate: 0.05, durationMs: 10 * MINUTE };
    expect(simulateCanary(scenario)).toEqual(simulateCanary(scenario));
    expect(simulateCanary({ ...scenario, seed: 43 }).requests).not.toBe(simulateCanary(scenario).requests);
  });
});
