import { describe, expect, it } from "vitest";
import { evaluateAll } from "./analysis/step-analysis.ts";
import { emptyTotals } from "./analysis/triggers.ts";
import { analysisFor } from "./policy.ts";

describe("the analysis an environment gets", () => {
  it("staging needs far fewer canary requests than production before a step may be promoted", () => {
    const staging = evaluateAll(analysisFor("staging"), emptyTotals());
    const production = evaluateAll(analysisFor("production"), emptyTotals());
    expect(staging.minRequests).toBeLessThan(500);
    expect(production.minRequests).toBeGreaterThan(2_000);
    // No data is never a pass.
    expect(staging.verdict).toBe("insufficient");
  });

  it("adds the business-metric trigger when the environment names one, and rolls back a canary that stops converting", () => {
    const config = analysisFor("production", { businessMetric: { name: "Checkout conversion", allowedDropPct: 10 } });
    expect(config.triggers).toContainEqual(expect.objectContaining({ kind: "businessMetric", name: "Checkout conversion", allowedDrop: 0.1 }));
    const totals = emptyTotals();
    totals.baseline = { ...totals.baseline, requests: 50_000, attempts: 20_000, conversions: 10_000 };
    totals.canary = { ...totals.canary, requests: 3_000, attempts: 2_000, conversions: 400 }; // 20% vs 50%
    const result = evaluateAll(config, totals);
    expect(result.verdict).toBe("rollback");
    expect(result.decidedBy?.trigger).toBe("business-metric");
    expect(result.decidedBy?.message).toMatch(/Checkout conversion/);
  });

  it("has no business-metric trigger unless one is configured", () => {
    expect(analysisFor("staging").triggers.some((t) => t.kind === "businessMetric")).toBe(false);
  });
});
