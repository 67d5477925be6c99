import { describe, expect, it } from "vitest";
import { errorRateTrigger, latencyTrigger } from "../core/analysis/triggers.ts";
import { MetricsAggregator } from "./aggregator.ts";

/**
 * `observeRequests(o, n)` must be indistinguishable from n `observeRequest(o)` calls in
 * everything the analysis, the charts and the persisted windows read.
 */
describe("MetricsAggregator.observeRequests", () => {
  const feed = (weighted: boolean) => {
    const agg = new MetricsAggregator(() => 1_000);
    agg.startStep("r", 0);
    const groups = [
      { side: "baseline" as const, status: 200, latencyMs: 40, count: 900 },
      { side: "baseline" as const, status: 503, latencyMs: 80, count: 12 },
      { side: "canary" as const, status: 200, latencyMs: 120, count: 300 },
      { side: "canary" as const, status: 0, latencyMs: 2_000, count: 7 },
    ];
    for (const g of groups) {
      const o = { runId: "r", side: g.side, status: g.status, latencyMs: g.latencyMs };
      if (weighted) agg.observeRequests(o, g.count);
      else for (let i = 0; i < g.count; i++) agg.observeRequest(o);
    }
    return agg;
  };

  it("records the same totals, batch, chart second and window as one call per request", () => {
    const one = feed(false);
    const many = feed(true);
    const read = (a: MetricsAggregator) => ({
      totals: a.totals("r", { "latency-p95": 100 }),
      input: a.takeAnalysisInput("r", { alpha: 0.01, triggers: [errorRateTrigger(), latencyTrigger(0.95)] }),
      second: a.rollSecond(),
      windows: a.rollWindows(true).map((w) => ({ ...w, latencySketch: Buffer.from(w.latencySketch).toString("base64") })),
    });
    const expected = read(one);
    expect(read(many)).toEqual(expected);
    expect(expected.totals?.canary).toMatchObject({ requests: 307, errors: 7 });
    expect(expected.totals?.baseline).toMatchObject({ requests: 912, errors: 12 });
  });

  it("ignores runs it does not watch and counts that are not whole and positive", () => {
    const agg = new MetricsAggregator(() => 0);
    agg.startStep("r", 0);
    agg.observeRequests({ runId: "other", side: "canary", status: 200, latencyMs: 1 }, 5);
    agg.observeRequests({ runId: "r", side: "canary", status: 200, latencyMs: 1 }, 0);
    agg.observeRequests({ runId: "r", side: "canary", status: 200, latencyMs: 1 }, 2.5);
    agg.observeRequests({ runId: "r", side: "canary", status: 200, latencyMs: 1 }, NaN);
    expect(agg.totals("r")?.canary.requests).toBe(0);
    expect(agg.watching("other")).toBe(false);
  });
});
