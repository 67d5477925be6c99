import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectDb, disconnectDb } from "./client.ts";
import { acquireAnalysisLeases, analysisOwner, releaseAnalysisLeases } from "./analysis-lease-repository.ts";
import { appendMetricSamples, drainMetricInbox } from "./metric-inbox-repository.ts";

const db = connectDb(inject("databaseUrl"));
afterAll(async () => {
  await disconnectDb();
});

describe("analysis leases", () => {
  it("gives a run to one instance, renews it for that one only, and lets another take it once expired or released", async () => {
    const run = randomUUID();
    expect([...(await acquireAnalysisLeases(db, "a", [run], 300))]).toEqual([run]);
    expect(await analysisOwner(db, run)).toBe("a");
    // Unexpired: b asks at the same moment and at once again, and gets nothing; a renews.
    const [forB, forA] = await Promise.all([acquireAnalysisLeases(db, "b", [run], 300), acquireAnalysisLeases(db, "a", [run], 300)]);
    expect(forB.size).toBe(0);
    expect(forA.has(run)).toBe(true);
    // a stops renewing (killed): after the TTL, b takes it, and a cannot renew it back.
    await new Promise((r) => setTimeout(r, 400));
    expect(await analysisOwner(db, run)).toBeNull();
    expect((await acquireAnalysisLeases(db, "b", [run], 5_000)).has(run)).toBe(true);
    expect((await acquireAnalysisLeases(db, "a", [run], 5_000)).size).toBe(0);
    expect(await analysisOwner(db, run)).toBe("b");
    // A clean stop releases: a takes it at once.
    await releaseAnalysisLeases(db, "b");
    expect((await acquireAnalysisLeases(db, "a", [run], 5_000)).has(run)).toBe(true);
    await releaseAnalysisLeases(db, "a", [run]);
  });

  it("never hands one run to two of many instances racing for it", async () => {
    const run = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireAnalysisLeases(db, `racer-${i}`, [run], 5_000)));
    expect(results.filter((r) => r.has(run))).toHaveLength(1);
  });
});

describe("metric inbox", () => {
  it("returns a run's batches in the order they were appended, once, and writes nothing for a bad batch", async () => {
    const run = randomUUID();
    for (let i = 0; i < 5; i++) await appendMetricSamples(db, run, { requests: [{ side: "canary", status: 200 + i, latencyMs: 10 }] });
    await expect(appendMetricSamples(db, run, { requests: [{ side: "canary", status: 700, latencyMs: 10 }] })).rejects.toThrow();
    await expect(appendMetricSamples(db, "not-a-run", { requests: [{ side: "canary", status: 200, latencyMs: 10 }] })).rejects.toThrow();
    await appendMetricSamples(db, run, {}); // nothing to send: no row
    const [first, second] = await Promise.all([drainMetricInbox(db, [run], 3), drainMetricInbox(db, [run], 3)]);
    const all = [...(first ?? []), ...(second ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(all.map((b) => b.payload?.requests?.[0]?.status)).toEqual([200, 201, 202, 203, 204]);
    expect(await drainMetricInbox(db, [run])).toEqual([]);
  });
});
