import { describe, expect, it } from "vitest";
import { InboxSink } from "./inbox-sink.ts";

describe("the router process's observation counts", () => {
  it("hands every request to the inbox once, on its side and status, with its latency within 0.5%", () => {
    const sink = new InboxSink();
    const latencies = [0, 0.004, 0.2, 1.7, 25, 25.05, 350, 9_000, 600_000];
    for (const latencyMs of latencies) {
      sink.observeRequest({ runId: "run-a", side: "canary", status: 200, latencyMs });
      sink.observeRequest({ runId: "run-a", side: "baseline", status: 503, latencyMs });
    }
    sink.observeRequest({ runId: "run-b", side: "baseline", status: 0, latencyMs: 12 });
    const batches = sink.take();
    const a = batches.get("run-a") ?? [];
    const total = (side: string, status: number) => a.filter((r) => r.side === side && r.status === status).reduce((n, r) => n + (r.count ?? 1), 0);
    expect(total("canary", 200)).toBe(latencies.length);
    expect(total("baseline", 503)).toBe(latencies.length);
    // 25 and 25.05 ms share a bucket: one entry counting two requests.
    expect(a.filter((r) => r.side === "canary").length).toBe(latencies.length - 1);
    for (const ms of latencies.filter((l) => l >= 0.001)) {
      const near = a.some((r) => r.side === "canary" && Math.abs(r.latencyMs - ms) <= ms * 0.005 + 1e-9);
      expect(near, `${ms} ms`).toBe(true);
    }
    expect(batches.get("run-b")).toEqual([{ side: "baseline", status: 0, latencyMs: expect.closeTo(12, 0.06) }]);
    // Counted once: the next batch starts from zero.
    expect(sink.take().size).toBe(0);
  });
  it("keeps each region's requests apart, so the analysis owner can count only the run's current region", () => {
    const sink = new InboxSink();
    sink.observeRequest({ runId: "run-r", side: "canary", status: 200, latencyMs: 10, region: "eu-west" });
    sink.observeRequest({ runId: "run-r", side: "canary", status: 200, latencyMs: 10, region: "eu-west" });
    sink.observeRequest({ runId: "run-r", side: "canary", status: 200, latencyMs: 10, region: "ap-southeast" });
    sink.observeRequest({ runId: "run-r", side: "canary", status: 200, latencyMs: 10 });
    const entries = sink.take().get("run-r") ?? [];
    const count = (region: string | undefined) => entries.filter((e) => e.region === region).reduce((n, e) => n + (e.count ?? 1), 0);
    expect([count("eu-west"), count("ap-southeast"), count(undefined)]).toEqual([2, 1, 1]);
  });
});
