import { describe, expect, it } from "vitest";
import { alphaPerTest, evaluateAll } from "./evaluate.ts";
import {
  businessMetricTrigger,
  defaultAnalysisConfig,
  emptyTotals,
  gaugeTrigger,
  type AnalysisConfig,
  type Evaluation,
  type SequentialEvaluation,
  type SideTotals,
  type TriggerId,
  type WindowTotals,
} from "./triggers.ts";

/** A step's totals: a healthy baseline with p95 120 ms / p99 300 ms, and the canary as given. */
function totals(canary: Partial<SideTotals> = {}, more: Partial<Omit<WindowTotals, "canary">> = {}): WindowTotals {
  const empty = emptyTotals();
  const requests = canary.requests ?? 0;
  return {
    ...empty,
    baseline: { ...empty.baseline, requests: 100_000, errors: 50, latencyMs: { p95: 120, p99: 300 } },
    canary: { ...empty.canary, ...canary },
    canarySlowerThan: { p95: { thresholdMs: 180, count: Math.round(requests * 0.01) }, p99: { thresholdMs: 450, count: 0 } },
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
    expect(result.summary).toMatch(/20 of 2,075 canary requests served; 2,055 more needed/);
  });

  it("never passes a canary that has served nothing", () => {
    const result = evaluateAll(config, emptyTotals());
    expect(result.verdict).toBe("insufficient");
    expect(result.requestsNeeded).toBe(result.minRequests);
    expect(result.evaluations.every((e) => e.verdict !== "pass" || e.trigger === "security")).toBe(true);
  });

  it("does not pass with no data even when no statistical trigger is configured", () => {
    const gaugesOnly: AnalysisConfig = { alpha: 0.01, triggers: [gaugeTrigger("cpu")] };
    expect(evaluateAll(gaugesOnly, totals({ cpuPercent: [20, 30] })).verdict).toBe("insufficient");
    expect(evaluateAll(gaugesOnly, totals({ requests: 1, cpuPercent: [20, 30] })).verdict).toBe("pass");
  });

  it("promotes a healthy canary once it has served the minimum, and not one request before", () => {
    const { minRequests } = evaluateAll(config, emptyTotals());
    expect(evaluateAll(config, totals({ requests: minRequests - 1 })).verdict).toBe("insufficient");
    const enough = evaluateAll(config, totals({ requests: minRequests }));
    expect(enough.verdict).toBe("pass");
    expect(enough.requestsNeeded).toBe(0);
  });

  it("treats counts that do not add up as insufficient, not as healthy", () => {
    const result = evaluateAll(config, totals({ requests: 10_000, errors: 12_000 }));
    expect(result.verdict).toBe("insufficient");
    expect(find(result.evaluations, "error-rate").message).toMatch(/Inconsistent counts.*12,000 bad of 10,000 requests/);
  });
});

describe("error rate", () => {
  it("rolls back a canary clearly failing above 1%, saying why with the numbers", () => {
    const result = evaluateAll(config, totals({ requests: 500, errors: 24 }));
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.trigger).toBe("error-rate");
    const evaluation = sequential(result.evaluations, "error-rate");
    expect(evaluation).toMatchObject({ verdict: "rollback", n: 500, k: 24, p0: 0.01, observedRate: 0.048, alpha: 0.0025 });
    expect(evaluation.logThreshold).toBeCloseTo(Math.log(400), 12);
    expect(evaluation.logE).toBeGreaterThan(evaluation.logThreshold);
    expect(evaluation.baselineFigure).toBeCloseTo(0.0005, 12);
    expect(evaluation.message).toMatch(/^Canary error rate 4\.8% \(24 of 500\) vs threshold 1%: evidence 2\.0e7 ≥ 400 → roll back$/);
    expect(result.summary).toBe(evaluation.message);
  });

  it("holds for a human at 0.5% errors without rolling back", () => {
    const result = evaluateAll(config, totals({ requests: 10_000, errors: 50 }));
    expect(result.verdict).toBe("hold");
    expect(result.decidedBy?.trigger).toBe("error-rate-hold");
    expect(sequential(result.evaluations, "error-rate").verdict).toBe("pass");
    expect(find(result.evaluations, "error-rate-hold").message).toMatch(/0\.5% \(50 of 10,000\) vs hold level 0\.1%: evidence .* ≥ 400 → hold for a human/);
  });

  it("rolls back rather than holds when both levels fire", () => {
    const result = evaluateAll(config, totals({ requests: 5_000, errors: 240 }));
    expect(result.verdict).toBe("rollback");
    expect(find(result.evaluations, "error-rate-hold").verdict).toBe("hold");
  });

  it("splits the false-alarm budget across the statistical tests: 1% over four tests is 0.25% each", () => {
    expect(alphaPerTest(config)).toBeCloseTo(0.0025, 12);
    const withBusiness = { ...config, triggers: [...config.triggers, businessMetricTrigger("Checkout conversion")] };
    expect(alphaPerTest(withBusiness)).toBeCloseTo(0.002, 12);
  });
});

describe("latency", () => {
  it("rolls back when 20% of canary requests are slower than 1.5 × baseline p95", () => {
    const result = evaluateAll(config, { ...totals({ requests: 500 }), canarySlowerThan: { p95: { thresholdMs: 180, count: 100 }, p99: { thresholdMs: 450, count: 2 } } });
    expect(result.verdict).toBe("rollback");
    const p95 = sequential(result.evaluations, "latency-p95");
    expect(p95).toMatchObject({ verdict: "rollback", n: 500, k: 100, baselineFigure: 120 });
    expect(p95.p0).toBeCloseTo(0.05, 12);
    expect(p95.message).toMatch(/slower than 180 ms \(1\.5 × baseline p95 120 ms\): 20% \(100 of 500\) vs allowed 5%/);
  });

  it("does not judge latency from a count taken against a lower threshold than the rule's", () => {
    const result = evaluateAll(config, { ...totals({ requests: 5_000 }), canarySlowerThan: { p95: { thresholdMs: 130, count: 900 }, p99: { thresholdMs: 450, count: 0 } } });
    expect(result.verdict).toBe("insufficient");
    expect(find(result.evaluations, "latency-p95").message).toMatch(/counted above 130 ms, below the rule's 180 ms/);
  });

  it("does not pass while the latency counts are missing", () => {
    const result = evaluateAll(config, { ...totals({ requests: 5_000 }), canarySlowerThan: { p95: null, p99: null } });
    expect(result.verdict).toBe("insufficient");
    expect(result.summary).toMatch(/No p95 latency data yet/);
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

  it("passes a canary converting like the baseline", () => {
    const result = evaluateAll(withCheckout, { ...totals({ requests: 10_000, attempts: 4_000, conversions: 200 }), baseline });
    expect(find(result.evaluations, "business-metric").verdict).not.toBe("rollback");
    expect(result.verdict).toBe("pass");
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
