import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { acquireAnalysisLeases, releaseAnalysisLeases } from "../db/analysis-lease-repository.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { drainMetricInbox } from "../db/metric-inbox-repository.ts";
import { MetricsAggregator } from "./aggregator.ts";
import { applyInboxPayload, MetricsForwarder } from "./metrics-forwarder.ts";

// A router or OTLP on an instance that does not analyse the run: what it observes must reach the
// aggregator of the instance that does, through the metric inbox.
const db = connectDb(inject("databaseUrl"));
afterAll(async () => {
  await disconnectDb();
});

function instance() {
  const aggregator = new MetricsAggregator(() => Date.now());
  const errors: unknown[] = [];
  const forwarder = new MetricsForwarder({ db, aggregator, onError: (_w, e) => errors.push(e) });
  return { aggregator, forwarder, errors };
}

describe("the metrics forwarder", () => {
  it("sends a run's observations to the instance holding its analysis lease, which counts them all", async () => {
    const runId = randomUUID();
    const owner = instance();
    const other = instance();
    owner.aggregator.startStep(runId, 0);
    await acquireAnalysisLeases(db, "owner", [runId], 5_000);
    for (let i = 0; i < 90; i++) other.forwarder.sink.observeRequest({ runId, side: "canary", status: i % 3 === 0 ? 503 : 200, latencyMs: 12 });
    other.forwarder.sink.observeRequests({ runId, side: "baseline", status: 200, latencyMs: 8 }, 500);
    other.forwarder.sink.observeGauge(runId, "canary", "cpu", 71);
    await other.forwarder.flush();
    expect(other.errors).toEqual([]);

    for (const b of await drainMetricInbox(db, [runId])) if (b.payload) applyInboxPayload(owner.aggregator, b.runId, b.payload);
    const totals = owner.aggregator.totals(runId);
    expect(totals?.canary).toMatchObject({ requests: 90, errors: 30, cpuPercent: [71] });
    expect(totals?.baseline.requests).toBe(500);
    await releaseAnalysisLeases(db, "owner");
  });

  it("keeps the region of what a region's router saw: a region-by-region run's owner counts only its current region's requests", async () => {
    const runId = randomUUID();
    const owner = instance();
    const other = instance();
    owner.aggregator.startStep(runId, 3, "ap-southeast");
    await acquireAnalysisLeases(db, "owner-regions", [runId], 5_000);
    // eu-west was released earlier and its router still sends everyone to the new version.
    for (let i = 0; i < 40; i++) other.forwarder.sink.observeRequest({ runId, side: "canary", status: 200, latencyMs: 9, region: "eu-west" });
    for (let i = 0; i < 10; i++) other.forwarder.sink.observeRequest({ runId, side: "canary", status: i < 5 ? 503 : 200, latencyMs: 9, region: "ap-southeast" });
    await other.forwarder.flush();
    const batches = await drainMetricInbox(db, [runId]);
    expect(batches.flatMap((b) => b.payload?.requests ?? []).map((r) => r.region)).toContain("eu-west");
    for (const b of batches) if (b.payload) applyInboxPayload(owner.aggregator, b.runId, b.payload);
    expect(owner.aggregator.totals(runId)?.canary).toMatchObject({ requests: 10, errors: 5 });
    await releaseAnalysisLeases(db, "owner-regions");
  });

  it("counts locally what this instance analyses, and drops what nobody analyses (as a lone instance does)", async () => {
    const mine = randomUUID();
    const nobodys = randomUUID();
    const here = instance();
    here.aggregator.startStep(mine, 0);
    here.forwarder.sink.observeRequest({ runId: mine, side: "canary", status: 200, latencyMs: 5 });
    here.forwarder.sink.observeRequest({ runId: nobodys, side: "canary", status: 200, latencyMs: 5 });
    await here.forwarder.flush();
    expect(here.aggregator.totals(mine)?.canary.requests).toBe(1);
    expect(await db.metricInbox.count({ where: { runId: { in: [mine, nobodys] } } })).toBe(0);
  });
});
