import { describe, expect, it } from "vitest";
import { alphaSplit } from "./plan.ts";
import { evaluateAll } from "./step-analysis.ts";
import { businessMetricTrigger, defaultAnalysisConfig, emptyTotals, gaugeTrigger, type AnalysisConfig, type SideTotals, type TriggerId, type WindowTotals } from "./triggers.ts";
import type { Evaluation, SequentialEvaluation } from "./evaluation.ts";

/** A step's totals: a healthy baseline with p95 120 ms / p99 300 ms, and the canary as given. */
function totals(canary: Partial<SideTotals> = {}, more: Partial<Omit<WindowTotals, "canary">> = {}): WindowTotals {
  const empty = emptyTotals();
  const requests = canary.requests ?? 0;
  return {
    ...empty,
    baseline: { ...empty.baseline, requests: 100_000, errors: 50, latencyMs: { p95: 120, p99: 300 } },
    canary: { ...empty.canary, ...canary },
    canarySlowerThan: { "latency-p95": { thresholdMs: 180, count: Math.round(requests * 0.01) }, "latency-p99": { thresholdMs: 450, count: 0 } },
    ...more,
  };
}

function find(evaluations: Evaluation[], trigger: TriggerId): Evaluation {
  const found = evaluations.find((e) => e.trigger === trigger);
  if (!found) throw new Error(`no evaluation for ${trigger}`);
  return found;
}

function sequential(evaluations: Evaluation[], trigger: TriggerId): SequentialEvaluation {
  const found = find(evaluations, trigger);
  if (found.method !== "e-process") throw new Error(`${trigger} is not an e-process test`);
  return found;
}

const config = defaultAnalysisConfig();

describe("evaluateAll at low traffic", () => {
  it("never rolls back on 1 error in 20 requests: that is not a 5% error rate", () => {
    const result = evaluateAll(config, totals({ requests: 20, errors: 1 }));
    expect(result.verdict).toBe("insufficient");
    expect(sequential(result.evaluations, "error-rate").verdict).toBe("insufficient");
    // 1 in 20 is a 5% rate so far: at that rate health can never be shown, and the page says so.
    expect(result.summary).toMatch(/^Insufficient evidence of health \(error-rate.*\): cannot show health at the canary's current rates/);
    expect(evaluateAll(config, totals({ requests: 200, errors: 0 })).summary).toMatch(/needs [\d,]+ more canary requests/);
  });

  it("never passes a canary that has served nothing", () => {
    const result = evaluateAll(config, emptyTotals());
    expect(result.verdict).toBe("insufficient");
    expect(result.requestsNeeded).toBeGreaterThan(0);
    expect(result.evaluations.every((e) => e.verdict !== "pass" || e.trigger === "security")).toBe(true);
  });

  it("does not pass on rules alone: with no request-based test, health is never shown", () => {
    const gaugesOnly: AnalysisConfig = { alpha: 0.01, triggers: [gaugeTrigger("cpu")] };
    expect(evaluateAll(gaugesOnly, totals({ cpuPercent: [20, 30] })).verdict).toBe("insufficient");
    expect(evaluateAll(gaugesOnly, totals({ requests: 1, cpuPercent: [20, 30] })).verdict).toBe("insufficient");
  });

  it("promotes a clean canary only once every rollback test's upper bound is below its threshold", () => {
    const few = evaluateAll(config, totals({ requests: 300 }));
    expect(few.verdict).toBe("insufficient");
    const error = sequential(few.evaluations, "error-rate");
    expect(error.upperBound).toBeGreaterThan(0.01);
    const enough = evaluateAll(config, totals({ requests: 300 + few.requestsNeeded }));
    expect(enough.verdict).toBe("pass");
    expect(enough.requestsNeeded).toBe(0);
    expect(sequential(enough.evaluations, "error-rate").upperBound).toBeLessThan(0.01);
    expect(enough.summary).toMatch(/^Healthy: every trigger's upper bound is below its threshold/);
  });

  it("treats counts that do not add up as insufficient, not as healthy", () => {
    const result = evaluateAll(config, totals({ requests: 10_000, errors: 12_000 }));
    expect(result.verdict).toBe("insufficient");
    expect(find(result.evaluations, "error-rate").message).toMatch(/Unusable data: 12000 errors reported for 10000 requests/);
  });
});

describe("error rate", () => {
  it("rolls back a canary clearly failing above 1%, saying why with the numbers", () => {
    const result = evaluateAll(config, totals({ requests: 500, errors: 24 }), Date.UTC(2026, 11, 4, 6, 40, 2));
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.trigger).toBe("error-rate");
    const evaluation = sequential(result.evaluations, "error-rate");
    const alpha = 0.01 * 0.5; // one step of one: errors' weight 5 of 10
    expect(evaluation).toMatchObject({ verdict: "rollback", n: 500, k: 24, p0: 0.01, observedRate: 0.048 });
    expect(evaluation.alpha).toBeCloseTo(alpha, 12);
    expect(evaluation.logThreshold).toBeCloseTo(Math.log(1 / alpha), 12);
    expect(evaluation.logE).toBeGreaterThan(evaluation.logThreshold);
    expect(evaluation.baselineFigure).toBeCloseTo(0.0005, 12);
    expect(evaluation.message).toMatch(/^Canary errors 4\.8% \(24 of 500\), baseline 0\.05%; threshold 1% since 06:40:02 UTC: evidence .* ≥ 200 → roll back$/);
    expect(result.summary).toBe(evaluation.message);
  });

  it("holds for a human at 0.5% errors without rolling back", () => {
    const result = evaluateAll(config, totals({ requests: 10_000, errors: 50 }));
    expect(result.verdict).toBe("hold");
    expect(result.decidedBy?.trigger).toBe("error-rate-hold");
    expect(sequential(result.evaluations, "error-rate").verdict).not.toBe("rollback");
    expect(find(result.evaluations, "error-rate-hold").message).toMatch(/0\.5% \(50 of 10,000\), baseline 0\.05%; hold level 0\.1% since .*: evidence .* → hold for a human/);
  });

  it("rolls back rather than holds when both levels fire", () => {
    const result = evaluateAll(config, totals({ requests: 5_000, errors: 240 }));
    expect(result.verdict).toBe("rollback");
    expect(find(result.evaluations, "error-rate-hold").verdict).toBe("hold");
  });

  it("splits the run's false-rollback budget by weight across its rollback tests, and across steps", () => {
    const first = alphaSplit(config, 0, 3);
    // Errors 5, p95 3, p99 2 of the rollback budget; the first of three steps gets 6/11 of the run's α.
    expect(first.step).toBeCloseTo((0.01 * 6) / 11, 12);
    expect(first.tests["error-rate"]).toBeCloseTo(first.step * 0.5, 12);
    expect(first.tests["latency-p99"]).toBeCloseTo(first.step * 0.2, 12);
    const steps = [0, 1, 2].map((i) => alphaSplit(config, i, 3).step);
    expect(steps.reduce((a, b) => a + b, 0)).toBeCloseTo(0.01, 12);
    const withBusiness = { ...config, triggers: [...config.triggers, businessMetricTrigger("Checkout conversion")] };
    expect(alphaSplit(withBusiness, 0, 1).tests["error-rate"]).toBeCloseTo(0.01 * (5 / 12), 12);
  });
});

describe("latency", () => {
  it("rolls back when 20% of canary requests are slower than 1.5 × baseline p95", () => {
    const result = evaluateAll(config, { ...totals({ requests: 500 }), canarySlowerThan: { "latency-p95": { thresholdMs: 180, count: 100 }, "latency-p99": { thresholdMs: 450, count: 2 } } });
    expect(result.verdict).toBe("rollback");
    const p95 = sequential(result.evaluations, "latency-p95");
    expect(p95).toMatchObject({ verdict: "rollback", n: 500, k: 100, baselineFigure: 120 });
    expect(p95.p0).toBeCloseTo(0.05, 12);
    expect(p95.message).toMatch(/slower than 180 ms \(1\.5 × baseline p95 120 ms\): 20% \(100 of 500\); allowed 5%/);
  });

  it("does not judge latency from a count taken against a lower threshold than the rule's", () => {
    const result = evaluateAll(config, { ...totals({ requests: 5_000 }), canarySlowerThan: { "latency-p95": { thresholdMs: 130, count: 900 }, "latency-p99": { thresholdMs: 450, count: 0 } } });
    expect(result.verdict).toBe("insufficient");
    expect(find(result.evaluations, "latency-p95").message).toMatch(/counted above 130 ms, below the rule's 180 ms/);
  });

  it("does not pass while the latency counts are missing", () => {
    const result = evaluateAll(config, { ...totals({ requests: 5_000 }), canarySlowerThan: { "latency-p95": null, "latency-p99": null } });
    expect(result.verdict).toBe("insufficient");
    expect(find(result.evaluations, "latency-p95").message).toMatch(/No data: no baseline p95 yet/);
  });
});

describe("business metric", () => {
  const withCheckout: AnalysisConfig = { alpha: 0.01, triggers: [businessMetricTrigger("Checkout conversion")] };
  const baseline = { ...emptyTotals().baseline, requests: 400_000, attempts: 40_000, conversions: 2_000 };

  it("rolls back when canary conversions collapse against the baseline's floor", () => {
    const result = evaluateAll(withCheckout, { ...totals({ requests: 10_000, attempts: 4_000, conversions: 80 }), baseline });
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.message).toMatch(/^Checkout conversion on canary 2% \(80 of 4,000\) vs floor 4\.\d% \(baseline 5%, allowed drop 10%\)/);
  });

  it("does not roll back a canary converting like the baseline", () => {
    const result = evaluateAll(withCheckout, { ...totals({ requests: 10_000, attempts: 4_000, conversions: 200 }), baseline });
    expect(find(result.evaluations, "business-metric").verdict).not.toBe("rollback");
    expect(result.verdict).not.toBe("rollback");
  });
});

describe("gauges and security signals", () => {
  const busy = (cpuPercent: number[]) => evaluateAll(config, totals({ requests: 5_000, cpuPercent }));

  it("lets two consecutive samples over the CPU limit pass", () => {
    const result = busy([40, 130, 120, 60, 110]);
    expect(find(result.evaluations, "cpu")).toMatchObject({ verdict: "pass", n: 5, k: 2, limit: 3 });
    expect(result.verdict).toBe("pass");
  });

  it("rolls back after three consecutive samples over the CPU limit", () => {
    const result = busy([40, 130, 120, 101, 60]);
    expect(result.verdict).toBe("rollback");
    expect(result.summary).toBe("Canary CPU above 100% of its limit for 3 consecutive samples (peak 130%; 3 roll back) → roll back");
  });

  it("rolls back on memory the same way, with its own limit", () => {
    const tight = { alpha: 0.01, triggers: [gaugeTrigger("memory", { limitPercent: 90, consecutive: 2 })] };
    expect(evaluateAll(tight, totals({ requests: 10, memoryPercent: [91, 95] })).verdict).toBe("rollback");
  });

  it("rolls back on any security signal, quoting it, even before the canary has served a request", () => {
    const signal = { source: "waf", message: "SQL injection attempt succeeded on /checkout", at: 1_700_000_000_000 };
    const result = evaluateAll(config, { ...emptyTotals(), securitySignals: [signal] });
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.trigger).toBe("security");
    expect(result.summary).toBe("Security signal from waf: SQL injection attempt succeeded on /checkout → roll back");
  });
});
