import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { readLimitedBody } from "../http/problem.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { createApiToken, authenticateToken, type AuthenticatedToken } from "./api-tokens.ts";
import {
  applyMetricsBatch,
  MAX_METRICS_BODY_BYTES,
  parseMetricsBatch,
  parseSignal,
  recordSignal,
  validateMetricsBatch,
} from "./ingest.ts";

const h = makeEngine(inject("databaseUrl"));
const db = h.db;
let rm: SessionUser;
let runId: string;
let idleRunId: string;
let aggregator: MetricsAggregator;
let token: AuthenticatedToken;

beforeAll(async () => {
  rm = await makeUser(db, "release_manager");
  const admin = await makeUser(db, "admin");
  const svc = await makeService(db);
  runId = (await startRun(h, rm, runInput(svc.id))).id;
  // A second service: one release at a time per service and environment.
  const idle = await makeService(db);
  idleRunId = (await startRun(h, rm, runInput(idle.id, { targetVersion: "1.2.0" }))).id;
  aggregator = new MetricsAggregator(() => Date.now());
  // What the analysis loop does for a run in its rollout.
  aggregator.startStep(runId, 0);
  const created = await createApiToken(db, admin, { name: "waf", scopes: ["signals:write"] });
  token = await authenticateToken(db, `Bearer ${created.token}`, "signals:write");
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

/** The AppError a call throws or rejects with. */
async function appError(f: () => unknown): Promise<AppError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError, nothing was thrown");
}

const request = (side: string, status: number, latencyMs: number) => ({ type: "request", side, status, latencyMs });

/** Everything the analysis and charts read for the run, to prove a rejected batch left no trace. */
const snapshot = () => JSON.stringify({ totals: aggregator.totals(runId), vitals: aggregator.vitals(runId) });

/** Parse then apply, as the route does. */
async function ingest(body: unknown) {
  return applyMetricsBatch(db, aggregator, parseMetricsBatch(typeof body === "string" ? body : JSON.stringify(body)));
}

describe("metrics batch validation", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["a NaN latency", NaN, "samples.1.latencyMs", /number/i],
    ["an infinite latency", Infinity, "samples.1.latencyMs", /number/i],
    ["a negative latency", -3, "samples.1.latencyMs", /at least 0/],
    ["an absurd latency", 1e9, "samples.1.latencyMs", /600000/],
  ];
  for (const [what, latencyMs, path, message] of cases) {
    it(`rejects ${what} with its path, and applies none of the batch`, async () => {
      const before = snapshot();
      const e = await appError(() => validateMetricsBatch({ runId, samples: [request("canary", 200, 10), { ...request("canary", 200, 0), latencyMs }] }));
      expect(e.code).toBe("BAD_REQUEST");
      expect(e.fieldErrors?.[path]?.join(" ")).toMatch(message);
      expect(snapshot()).toBe(before);
    });
  }

  it("rejects status 700, an unknown side, a bad type and conversions above attempts, all reported at once", async () => {
    const before = snapshot();
    const samples = [
      request("baseline", 200, 12),
      request("canary", 700, 12),
      request("green", 200, 12),
      request("canary", 42, 12),
      { type: "gauge", side: "canary", resource: "disk", percentOfLimit: 50 },
      { type: "conversion", side: "canary", attempts: 3, conversions: 4 },
      { type: "vital", side: "canary", name: "cls", value: 250 },
      { type: "latency", side: "canary" },
    ];
    const e = await appError(() => ingest({ runId, samples }));
    expect(e.status).toBe(400);
    expect(Object.keys(e.fieldErrors ?? {})).toEqual(
      expect.arrayContaining(["samples.1.status", "samples.2.side", "samples.3.status", "samples.4.resource", "samples.5.conversions", "samples.6.value", "samples.7.type"]),
    );
    expect(e.fieldErrors?.["samples.2.side"]).toEqual(['Expected "baseline" or "canary"']);
    expect(snapshot()).toBe(before);
  });

  it("rejects 10,001 samples, bad JSON (NaN is not JSON) and a bad run id before touching the run", async () => {
    const before = snapshot();
    const tooMany = await appError(() => ingest({ runId, samples: Array.from({ length: 10_001 }, () => request("canary", 200, 5)) }));
    expect(tooMany.fieldErrors?.samples).toEqual(["At most 10000 samples per batch"]);
    const nan = await appError(() => ingest(`{"runId":"${runId}","samples":[{"type":"request","side":"canary","status":200,"latencyMs":NaN}]}`));
    expect(nan.userMessage).toBe("The body must be JSON.");
    const badId = await appError(() => ingest({ runId: "run-1", samples: [] }));
    expect(Object.keys(badId.fieldErrors ?? {})).toEqual(["runId"]);
    expect((await appError(() => ingest("[]"))).code).toBe("BAD_REQUEST");
    expect(snapshot()).toBe(before);
  });

  it("lists at most 50 problems for a batch of 10,000 bad samples", async () => {
    const e = await appError(() => validateMetricsBatch({ runId, samples: Array.from({ length: 10_000 }, () => request("canary", 200, -1)) }));
    expect(Object.keys(e.fieldErrors ?? {})).toHaveLength(51);
    expect(e.fieldErrors?._more).toEqual(["9950 more problems not listed"]);
  });
});

describe("metrics batch application", () => {
  it("applies a valid batch to a watched run: requests, errors, latency, gauges, conversions and vitals", async () => {
    const before = aggregator.totals(runId);
    const samples = [
      ...Array.from({ length: 99 }, (_, i) => request("canary", 200, 100 + i)),
      request("canary", 0, 30_000),
      ...Array.from({ length: 50 }, () => request("baseline", 503, 20)),
      { type: "gauge", side: "canary", resource: "memory", percentOfLimit: 87.5 },
      { type: "conversion", side: "baseline", attempts: 40, conversions: 10 },
      ...[1000, 2000, 3000, 4000].map((value) => ({ type: "vital", side: "canary", name: "lcp", value })),
      { type: "vital", side: "baseline", name: "cls", value: 0 },
    ];
    expect(await ingest({ runId, samples })).toEqual({ accepted: samples.length });

    const after = aggregator.totals(runId);
    expect(after?.canary.requests).toBe((before?.canary.requests ?? 0) + 100);
    expect(after?.canary.errors).toBe((before?.canary.errors ?? 0) + 1);
    expect(after?.baseline.errors).toBe((before?.baseline.errors ?? 0) + 50);
    expect(after?.canary.latencyMs.p95).toBeGreaterThan(190);
    expect(after?.canary.memoryPercent.at(-1)).toBe(87.5);
    expect(after?.baseline.conversions).toBe((before?.baseline.conversions ?? 0) + 10);
    const vitals = aggregator.vitals(runId);
    expect(vitals?.canary.lcp.count).toBe(4);
    expect(vitals?.canary.lcp.p75).toBeGreaterThan(2900);
    expect(vitals?.canary.lcp.p75).toBeLessThan(3100);
    expect(vitals?.baseline.cls).toEqual({ p75: 0, count: 1 });
    expect(vitals?.baseline.inp).toEqual({ p75: null, count: 0 });
  });

  it("refuses an unknown run with 404 and a run that is not rolling out with 409, changing nothing", async () => {
    const before = snapshot();
    const unknown = await appError(() => ingest({ runId: "00000000-0000-4000-8000-000000000000", samples: [request("canary", 200, 1)] }));
    expect([unknown.status, unknown.userMessage]).toEqual([404, "Unknown run"]);
    const idle = await appError(() => ingest({ runId: idleRunId, samples: [request("canary", 200, 1)] }));
    expect([idle.status, idle.userMessage]).toEqual([409, "Run is not rolling out"]);
    expect(aggregator.totals(idleRunId)).toBeNull();
    expect(snapshot()).toBe(before);
  });

  it("validates and applies 5,000-sample batches well above 100,000 samples/s", async () => {
    const samples = Array.from({ length: 5_000 }, (_, i) => {
      const side = i % 2 ? "canary" : "baseline";
      if (i % 20 === 17) return { type: "gauge", side, resource: "cpu", percentOfLimit: 40 + (i % 10) };
      if (i % 20 === 18) return { type: "conversion", side, attempts: 10, conversions: 3 };
      if (i % 20 === 19) return { type: "vital", side, name: "inp", value: 80 + (i % 400) };
      return request(side, i % 97 === 0 ? 503 : 200, 5 + (i % 300) * 1.37);
    });
    const text = JSON.stringify({ runId, samples });
    const rounds = 40;
    for (let i = 0; i < 5; i++) await ingest(text); // warm up the JIT
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await ingest(text);
    const perSecond = (rounds * samples.length) / ((performance.now() - started) / 1000);
    // Includes JSON.parse and one primary-key lookup of the run per batch.
    console.info(`[ingest] JSON.parse + validate + apply: ${Math.round(perSecond).toLocaleString("en")} samples/s (5,000-sample batches)`);
    expect(perSecond).toBeGreaterThan(100_000);
  });
});

describe("request bodies", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://flightdeck.test/api/v1/metrics", { method: "POST", body, headers, duplex: "half" } as RequestInit);

  it("refuses a body over 1 MiB with 413, by its declared length or while streaming it", async () => {
    const big = "x".repeat(MAX_METRICS_BODY_BYTES + 1);
    expect((await appError(() => readLimitedBody(post(big), MAX_METRICS_BODY_BYTES))).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(64 * 1024));
        c.close();
      },
    });
    expect((await appError(() => readLimitedBody(post(stream), MAX_METRICS_BODY_BYTES))).status).toBe(413);
    expect(await readLimitedBody(post("ok ✓"), MAX_METRICS_BODY_BYTES)).toBe("ok ✓");
  });
});

describe("security signals", () => {
  it("audits a signal and hands it to the analysis of a rolling-out run", async () => {
    const input = parseSignal(JSON.stringify({ runId, source: "waf", message: "SQL injection burst against /checkout", severity: "critical" }));
    await recordSignal(db, aggregator, token, input, 1_700_000_000_000);
    expect(aggregator.totals(runId)?.securitySignals).toContainEqual({ source: "waf", message: "SQL injection burst against /checkout", at: 1_700_000_000_000 });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { runId, action: "signal.received" } });
    // Audited as the token's own identity (a user row named after the token), like any command.
    expect(audit.actorName).toBe("waf (API token)");
    expect(audit.summary).toContain("(critical)");
  });

  it("refuses unknown runs (404), runs not rolling out (409) and bad fields (400)", async () => {
    const signal = { source: "waf", message: "alert" };
    const unknown = await appError(() => recordSignal(db, aggregator, token, parseSignal(JSON.stringify({ ...signal, runId: "00000000-0000-4000-8000-000000000000" }))));
    expect(unknown.status).toBe(404);
    const idle = await appError(() => recordSignal(db, aggregator, token, parseSignal(JSON.stringify({ ...signal, runId: idleRunId }))));
    expect(idle.status).toBe(409);
    expect(await db.auditEvent.count({ where: { runId: idleRunId, action: "signal.received" } })).toBe(0);
    const bad = await appError(() => parseSignal(JSON.stringify({ runId, source: "", message: "x".repeat(2_001), severity: "urgent" })));
    expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["message", "severity", "source"]);
  });
});
