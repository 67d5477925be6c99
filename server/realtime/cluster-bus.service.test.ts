import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { eventually } from "../testing/harness.ts";
import { ClusterBus } from "./cluster-bus.ts";
import type { DomainEvent } from "./event-map.ts";

// Two buses on their own connections, as two instances have: what one publishes the other hears,
// and a listening connection the database drops is replaced.
const url = inject("databaseUrl");
const buses: ClusterBus[] = [];
afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
});

function bus(): { bus: ClusterBus; got: DomainEvent[]; errors: unknown[] } {
  const got: DomainEvent[] = [];
  const errors: unknown[] = [];
  const b = new ClusterBus({ databaseUrl: url, deliver: (e) => got.push(e), onError: (_w, e) => errors.push(e) });
  buses.push(b);
  return { bus: b, got, errors };
}

const change = (runId: string, seq: number): DomainEvent => ({ kind: "runChanged", event: { runId, seq, status: "running", phase: "rollout", waitingFor: null, summary: `change ${seq}` } });
const seqs = (got: DomainEvent[], runId: string) => got.flatMap((e) => (e.kind === "runChanged" && e.event.runId === runId ? [e.event.seq] : []));

describe("the cross-instance event bus", () => {
  it("delivers two publishers' events to each other once, each publisher's in order", async () => {
    const a = bus();
    const b = bus();
    await Promise.all([a.bus.start(), b.bus.start()]);
    for (let i = 1; i <= 100; i++) {
      a.bus.publish(change("run-a", i));
      b.bus.publish(change("run-b", i));
    }
    const all = Array.from({ length: 100 }, (_, i) => i + 1);
    await eventually(async () => seqs(a.got, "run-b").length >= 100 && seqs(b.got, "run-a").length >= 100, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    for (const [x, run] of [[a, "run-a"], [a, "run-b"], [b, "run-a"], [b, "run-b"]] as const) expect(seqs(x.got, run)).toEqual(all);
  });

  it("listens again after the database drops its connection", async () => {
    const a = bus();
    const b = bus();
    await Promise.all([a.bus.start(), b.bus.start()]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flightdeck-bus-listen' AND pid <> pg_backend_pid()");
    } finally {
      await admin.end();
    }
    // Published until heard: the first ones may go out while b is reconnecting (a page refetches on that gap).
    let seq = 0;
    await eventually(async () => {
      a.bus.publish(change("run-r", ++seq));
      await new Promise((r) => setTimeout(r, 100));
      return seqs(b.got, "run-r").length > 0;
    }, 15_000);
    expect(b.errors.length).toBeGreaterThan(0); // it said so
  });
});
