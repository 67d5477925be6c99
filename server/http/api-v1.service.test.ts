import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { setAppContext } from "../context.ts";
import { ZApiRun, ZProblem, type ApiRun } from "../contracts/api-v1.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { fanOut, runEventHub } from "../realtime/event-hub.ts";
import { createApiToken, revokeApiToken, type TCreateApiTokenInput } from "../services/api-tokens.ts";
import { startApiServer } from "../testing/api-v1-server.ts";
import { eventually, makeService, makeUser, testEngine } from "../testing/harness.ts";
import { MAX_RUN_BODY_BYTES } from "./api-v1.ts";

/**
 * The HTTP API v1 over a real HTTP server on loopback, with the route handlers the Next routes
 * export, a real engine and PostgreSQL: what a CI job (or curl) sees.
 */

const db = connectDb(inject("databaseUrl"));
// As main.ts wires it: the engine's events reach the API's streams through the hub.
const engine = testEngine(db, { publish: fanOut(runEventHub().publish) });

let base = "";
let close: () => Promise<void> = async () => {};
let admin: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  setAppContext({ engine, globalHoldScale: 1, aggregator: new MetricsAggregator(() => Date.now()), demo: null });
  engine.start();
  const listening = await startApiServer();
  base = listening.url;
  close = listening.close;
});
afterAll(async () => {
  await close();
  await engine.stop();
  await disconnectDb();
});

async function token(input: Partial<TCreateApiTokenInput> = {}) {
  return createApiToken(db, admin, { name: "ci", scopes: ["runs:read", "runs:write"], ...input });
}

function call(path: string, opts: { token?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined || opts.raw !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers };
  return fetch(`${base}${path}`, { method: opts.method ?? (opts.body !== undefined || opts.raw !== undefined ? "POST" : "GET"), headers, body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
}

/** A problem-details answer: its status, content type and shape checked, then returned. */
async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return ZProblem.parse(await res.json());
}

async function run(res: Response, status = 201): Promise<ApiRun> {
  expect(res.status, await res.clone().text()).toBe(status);
  return ZApiRun.parse(await res.json());
}

describe("creating runs", () => {
  it("creates and starts a run with commit, notes and links; defaults canary/low/none; Location points at it; audited as the token's identity", async () => {
    const svc = await makeService(db);
    const t = await token();
    const res = await call("/api/v1/runs", {
      token: t.token,
      body: { service: svc.slug, environment: "staging", version: "2.3.1", commitSha: "ABCDEF1234567", commitTime: "2026-12-04T10:00:00+01:00", releaseNotes: "# Fixes\n- checkout", links: [{ label: "CI job", url: "https://ci.example/jobs/1" }] },
    });
    const created = await run(res);
    expect(res.headers.get("location")).toBe(`/api/v1/runs/${created.id}`);
    expect(created).toMatchObject({ service: svc.slug, environment: "staging", version: "2.3.1", baselineVersion: "1.0.0", strategy: "canary", risk: "low", compliance: "none", commitSha: "abcdef1234567", commitAt: "2026-12-04T09:00:00.000Z", releaseNotes: "# Fixes\n- checkout", createdBy: "ci (API token)" });
    expect(created.links).toEqual([{ label: "CI job", url: "https://ci.example/jobs/1" }]);
    expect(created.url).toBe(`${base}/runs/${created.id}`);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { runId: created.id, action: "run.create" } });
    expect(audit).toMatchObject({ actorId: t.userId, actorName: "ci (API token)", actorRole: "release_manager" });
    await eventually(async () => (await db.releaseRun.findUniqueOrThrow({ where: { id: created.id } })).seq > 0);
  });

  it("creates a flag run (issue 15): kind flag with the flag and variant; the run says kind, flag and baseline variant; a misspelt flag is 400 with the field, nothing created", async () => {
    const svc = await makeService(db);
    const production = svc.environments.find((e) => e.name === "production");
    await db.featureFlag.create({ data: { environmentId: production?.id ?? "", key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off" } });
    const t = await token();
    const typo = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "production", kind: "flag", flag: { key: "new-chekout", variant: "on" } } }), 400);
    expect(typo.detail).toContain(`No flag new-chekout in ${svc.slug}/production`);
    expect(typo.errors?.["flag.key"]).toEqual([`No flag new-chekout in ${svc.slug}/production`]);
    const both = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "production", kind: "flag", version: "2.0.0", flag: { key: "new-checkout", variant: "on" } } }), 400);
    expect(JSON.stringify(both)).toContain("leave version out");
    expect(await db.releaseRun.count({ where: { serviceId: svc.id } })).toBe(0);

    const created = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "production", kind: "flag", flag: { key: "new-checkout", variant: "on" }, risk: "medium" } }));
    expect(created).toMatchObject({ kind: "flag", flag: { key: "new-checkout", variant: "on", baselineVariant: "off" }, version: "new-checkout → on", baselineVersion: "new-checkout → off", strategy: "canary" });
    const read = await run(await call(`/api/v1/runs/${created.number}`, { token: t.token }), 200);
    expect(read).toMatchObject({ kind: "flag", flag: { key: "new-checkout", variant: "on", baselineVariant: "off" } });
    await engine.dispatch(created.id, { kind: "abort", actor: { id: admin.id, name: admin.name, role: admin.role }, reason: "end of test" });
  });

  it("answers a retried request with the same run (200, Idempotent-Replay), and 10 concurrent retries create one run", async () => {
    const svc = await makeService(db);
    const t = await token();
    const body = { service: svc.slug, environment: "production", version: "1.1.0", risk: "medium" };
    const first = await run(await call("/api/v1/runs", { token: t.token, body, headers: { "idempotency-key": "deploy-42-attempt" } }));
    const again = await call("/api/v1/runs", { token: t.token, body, headers: { "idempotency-key": "deploy-42-attempt" } });
    expect(again.headers.get("idempotent-replay")).toBe("true");
    expect((await run(again, 200)).id).toBe(first.id);

    const svc2 = await makeService(db);
    const body2 = { service: svc2.slug, environment: "staging", version: "3.0.0", strategy: "rolling" };
    const results = await Promise.all(Array.from({ length: 10 }, () => call("/api/v1/runs", { token: t.token, body: body2, headers: { "idempotency-key": "pipeline-7" } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    const ids = new Set(await Promise.all(results.map(async (r) => ZApiRun.parse(await r.json()).id)));
    expect(ids.size).toBe(1);
    expect(await db.releaseRun.count({ where: { serviceId: svc2.id } })).toBe(1);
  });

  it("refuses the same key with another body (422), and another caller's same key is its own", async () => {
    const svc = await makeService(db);
    const t = await token();
    await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" }, headers: { "idempotency-key": "k1" } }));
    const p = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.2.0", risk: "medium" }, headers: { "idempotency-key": "k1" } }), 422);
    expect(p.detail).toMatch(/different request body/);
    expect(await db.releaseRun.count({ where: { serviceId: svc.id } })).toBe(1);
    // Another token with the same key is another caller: its request is new (and the environment is busy: 409).
    const other = await token({ name: "other ci" });
    const busy = await problem(await call("/api/v1/runs", { token: other.token, body: { service: svc.slug, environment: "staging", version: "1.2.0", risk: "medium" }, headers: { "idempotency-key": "k1" } }), 409);
    expect(busy.detail).toMatch(/^Run #\d+ is still in progress/);
    await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" }, headers: { "idempotency-key": "has space" } }), 400);
  });

  it("refuses bad input with problem details naming each field, and writes nothing", async () => {
    const svc = await makeService(db);
    const t = await token();
    const unknown = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", enviroment: "prod", force: true } }), 400);
    expect(unknown.errors).toEqual({ enviroment: ["Unknown field"], force: ["Unknown field"] });
    expect(unknown.type).toBe("/api/v1/docs#problem-bad-request");
    expect(unknown.instance).toBe("/api/v1/runs");
    const wrong = await problem(
      await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "qa", version: 7, commitSha: "xyz", commitTime: "yesterday", links: [{ label: "x", url: "javascript:alert(1)" }] } }),
      400,
    );
    expect(Object.keys(wrong.errors ?? {}).sort()).toEqual(["commitSha", "commitTime", "environment", "links.0.url", "version"]);
    await problem(await call("/api/v1/runs", { token: t.token, raw: "{not json" }), 400);
    await problem(await call("/api/v1/runs", { token: t.token, raw: JSON.stringify({ service: svc.slug }), headers: { "content-type": "text/plain" } }), 415);
    const big = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", releaseNotes: "x".repeat(MAX_RUN_BODY_BYTES) } }), 413);
    expect(big.detail).toMatch(/too large/);
    const notes = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", releaseNotes: "x".repeat(20_001) } }), 400);
    expect(notes.errors?.releaseNotes).toEqual(["At most 20,000 characters"]);
    const noService = await problem(await call("/api/v1/runs", { token: t.token, body: { service: "no-such-service", environment: "staging", version: "1.1.0", risk: "medium" } }), 404);
    expect(noService.errors).toEqual({ service: ['No service "no-such-service"'] });
    const same = await problem(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.0.0" } }), 400);
    expect(same.errors?.version?.[0]).toMatch(/already the current version/);
    expect(await db.releaseRun.count({ where: { serviceId: svc.id } })).toBe(0);
  });
});

describe("token scopes, roles and limits", () => {
  it("honours each scope exactly: runs:read cannot create, runs:write cannot read, metrics:write cannot read runs", async () => {
    const svc = await makeService(db);
    const reader = await token({ name: "reader", scopes: ["runs:read"] });
    const writer = await token({ name: "writer", scopes: ["runs:write"] });
    const metrics = await token({ name: "metrics", scopes: ["metrics:write"] });
    const body = { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" };
    expect((await problem(await call("/api/v1/runs", { token: reader.token, body }), 403)).detail).toBe("This API token lacks the runs:write scope.");
    const created = await run(await call("/api/v1/runs", { token: writer.token, body }));
    await problem(await call(`/api/v1/runs/${created.id}`, { token: writer.token }), 403);
    await problem(await call("/api/v1/runs", { token: metrics.token }), 403);
    await problem(await call(`/api/v1/runs/${created.id}/events`, { token: metrics.token }), 403);
    expect((await run(await call(`/api/v1/runs/${created.id}`, { token: reader.token }), 200)).id).toBe(created.id);
    const none = await problem(await call("/api/v1/runs"), 401);
    expect(none.detail).toBe("Invalid or missing API token");
  });

  it("a revoked token is refused at once (401), and its identity can act no more", async () => {
    const svc = await makeService(db);
    const t = await token();
    const created = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    await revokeApiToken(db, admin, { id: t.id });
    await problem(await call(`/api/v1/runs/${created.id}`, { token: t.token }), 401);
    const r = await problem(await call(`/api/v1/runs/${created.id}/commands`, { token: t.token, body: { kind: "abort", reason: "revoked token" } }), 401);
    expect(r.code).toBe("UNAUTHENTICATED");
    expect((await db.user.findUniqueOrThrow({ where: { id: t.userId } })).banned).toBe(true);
  });

  it("a viewer-role token may read but not create or command (403), and limits to services and environments are enforced", async () => {
    const svc = await makeService(db);
    const other = await makeService(db);
    const viewer = await token({ name: "viewer ci", role: "viewer" });
    const viewerNo = await problem(await call("/api/v1/runs", { token: viewer.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }), 403);
    expect(viewerNo.detail).toBe("This API token's role (viewer) may not create runs.");
    const limited = await token({ name: "limited", services: [svc.slug], environments: ["staging"] });
    await problem(await call("/api/v1/runs", { token: limited.token, body: { service: other.slug, environment: "staging", version: "1.1.0", risk: "medium" } }), 403);
    await problem(await call("/api/v1/runs", { token: limited.token, body: { service: svc.slug, environment: "production", version: "1.1.0", risk: "medium" } }), 403);
    const mine = await run(await call("/api/v1/runs", { token: limited.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    const theirs = await run(await call("/api/v1/runs", { token: (await token()).token, body: { service: other.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    await problem(await call(`/api/v1/runs/${theirs.id}`, { token: limited.token }), 403);
    await problem(await call(`/api/v1/runs/${theirs.id}/commands`, { token: limited.token, body: { kind: "abort", reason: "not mine" } }), 403);
    const listed = (await (await call("/api/v1/runs?limit=100", { token: limited.token })).json()) as { runs: ApiRun[] };
    expect(listed.runs.map((r) => r.id)).toContain(mine.id);
    expect(listed.runs.every((r) => r.service === svc.slug && r.environment === "staging")).toBe(true);
    await problem(await call(`/api/v1/runs?service=${other.slug}`, { token: limited.token }), 403);
    await problem(await call(`/api/v1/runs/${mine.id}/commands`, { token: viewer.token, body: { kind: "abort", reason: "viewer tries" } }), 403);
    expect(await db.auditEvent.count({ where: { runId: mine.id, action: "run.abort" } })).toBe(0);
  });

  it("refuses a token limited to an unknown service at creation, naming it", async () => {
    await expect(token({ name: "typo", services: ["no-such-svc"] })).rejects.toMatchObject({ code: "BAD_REQUEST", fieldErrors: { services: ['No service "no-such-svc"'] } });
  });
});

describe("reading and commanding runs", () => {
  it("lists newest first with filters and a limit, and gets a run by id or by number", async () => {
    const svc = await makeService(db);
    const t = await token();
    const a = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    const b = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "production", version: "1.1.0", risk: "medium" } }));
    const list = (await (await call(`/api/v1/runs?service=${svc.slug}`, { token: t.token })).json()) as { runs: ApiRun[] };
    expect(list.runs.map((r) => r.id)).toEqual([b.id, a.id]);
    const staging = (await (await call(`/api/v1/runs?service=${svc.slug}&environment=staging&status=active&limit=1`, { token: t.token })).json()) as { runs: ApiRun[] };
    expect(staging.runs.map((r) => r.id)).toEqual([a.id]);
    const bad = await problem(await call("/api/v1/runs?limit=500&status=done&colour=red", { token: t.token }), 400);
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(["colour", "limit", "status"]);
    expect((await run(await call(`/api/v1/runs/${b.number}`, { token: t.token }), 200)).id).toBe(b.id);
    expect((await run(await call(`/api/v1/runs/${b.id}`, { token: t.token }), 200)).number).toBe(b.number);
    await problem(await call("/api/v1/runs/999999999", { token: t.token }), 404);
    await problem(await call("/api/v1/runs/not-a-run", { token: t.token }), 404);
  });

  it("commands a run with a token, as the token's identity in the audit trail; unknown kinds and fields are 400, wrong state 409", async () => {
    const svc = await makeService(db);
    const t = await token({ name: "deploy bot" });
    const created = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    await eventually(async () => (await run(await call(`/api/v1/runs/${created.id}`, { token: t.token }), 200)).phase === "approval");
    expect((await problem(await call(`/api/v1/runs/${created.number}/commands`, { token: t.token, body: { kind: "deploy" } }), 400)).detail).toBe('Unknown command "deploy".');
    expect((await problem(await call(`/api/v1/runs/${created.number}/commands`, { token: t.token, body: { kind: "abort", reason: "x", force: 1 } }), 400)).errors).toMatchObject({ force: ["Unknown field"], reason: [expect.stringMatching(/at least 3/)] });
    const resumed = await problem(await call(`/api/v1/runs/${created.number}/commands`, { token: t.token, body: { kind: "resume" } }), 409);
    expect(resumed.code).toBe("CONFLICT");
    const res = await call(`/api/v1/runs/${created.number}/commands`, { token: t.token, body: { kind: "abort", reason: "pipeline cancelled" } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    expect((await run(await call(`/api/v1/runs/${created.id}`, { token: t.token }), 200)).status).toBe("aborted");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { runId: created.id, action: "run.abort" } });
    expect(audit).toMatchObject({ actorId: t.userId, actorName: "deploy bot (API token)", actorRole: "release_manager" });
    expect(audit.summary).toContain("pipeline cancelled");
  });

  it("keeps the metrics and signals routes' answers, now as problem details", async () => {
    const m = await token({ name: "shipper", scopes: ["metrics:write"] });
    const s = await token({ name: "waf", scopes: ["signals:write"] });
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await problem(await call("/api/v1/metrics", { token: m.token, body: { runId: missing, samples: [] } }), 404)).code).toBe("NOT_FOUND");
    const bad = await problem(await call("/api/v1/metrics", { token: m.token, body: { runId: "x", samples: [{ type: "request", side: "left" }] } }), 400);
    expect(Object.keys(bad.errors ?? {})).toEqual(expect.arrayContaining(["runId"]));
    await problem(await call("/api/v1/signals", { token: m.token, body: { runId: missing, source: "waf", message: "x" } }), 403);
    await problem(await call("/api/v1/signals", { token: s.token, body: { runId: missing, source: "waf", message: "sql injection" } }), 404);
    await problem(await call("/api/v1/metrics", { token: m.token, raw: `{"runId":"${missing}","samples":[${'{"type":"gauge"},'.repeat(80_000)}{}]}` }), 413);
  });
});

/** Reads an SSE stream into events until `until` says stop or the stream ends. */
async function readEvents(res: Response, until: (e: SseEvent, all: SseEvent[]) => boolean, timeoutMs = 20_000): Promise<{ events: SseEvent[]; ended: boolean }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`stream: no end within ${timeoutMs} ms; got ${events.map((e) => e.event).join(", ")}`);
    const { done, value } = await reader.read();
    if (done) return { events, ended: true };
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: SseEvent = { id: null, event: null, data: null };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) e.id = Number(line.slice(4));
        else if (line.startsWith("event: ")) e.event = line.slice(7);
        else if (line.startsWith("data: ")) e.data = JSON.parse(line.slice(6)) as unknown;
      }
      if (!e.event) continue;
      events.push(e);
      if (until(e, events)) {
        await reader.cancel();
        return { events, ended: false };
      }
    }
  }
}
type SseEvent = { id: number | null; event: string | null; data: unknown };

describe("the run's event stream", () => {
  it("streams the run's state and live events with increasing ids, resumes after Last-Event-ID, and ends with run.finished", async () => {
    const svc = await makeService(db);
    const t = await token();
    const created = await run(await call("/api/v1/runs", { token: t.token, body: { service: svc.slug, environment: "staging", version: "1.1.0", risk: "medium" } }));
    const res = await call(`/api/v1/runs/${created.id}/events`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    // Live until the run waits at the gate.
    const live = await readEvents(res, (e) => e.event === "run.changed" && ZApiRun.parse(e.data).phase === "approval");
    expect(live.events[0]?.event).toBe("run.changed");
    const ids = live.events.flatMap((e) => (e.id === null ? [] : [e.id]));
    expect(ids.length).toBeGreaterThan(3);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(live.events.map((e) => e.event)).toEqual(expect.arrayContaining(["run.changed", "run.log", "run.progress"]));
    const gate = ZApiRun.parse(live.events.at(-1)?.data).gate;
    expect(gate).toMatchObject({ kind: "approval", status: "open" });

    // Resuming from an early id: one snapshot of the current state first, with the current seq.
    const early = ids[1] ?? 0;
    const current = (await run(await call(`/api/v1/runs/${created.id}`, { token: t.token }), 200)).seq;
    const resumed = await readEvents(await call(`/api/v1/runs/${created.id}/events`, { token: t.token, headers: { "last-event-id": String(early) } }), () => true);
    expect(resumed.events[0]).toMatchObject({ event: "run.changed", id: current });
    // Up to date: nothing until something happens; then the abort ends the stream with run.finished.
    const following = call(`/api/v1/runs/${created.id}/events?after=${current}`, { token: t.token });
    const tail = following.then((r) => readEvents(r, () => false));
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(`/api/v1/runs/${created.id}/commands`, { token: t.token, body: { kind: "abort", reason: "stop the release" } })).status).toBe(200);
    const { events, ended } = await tail;
    expect(ended).toBe(true);
    expect(events.every((e) => e.id === null || e.id > current)).toBe(true);
    const last = events.at(-1);
    expect(last?.event).toBe("run.finished");
    expect(ZApiRun.parse(last?.data)).toMatchObject({ status: "aborted", outcomeReason: expect.stringContaining("stop the release") });
    // A stream opened on a finished run says so at once and ends.
    const after = await readEvents(await call(`/api/v1/runs/${created.number}/events`, { token: t.token }), () => false);
    expect(after).toMatchObject({ ended: true, events: [{ event: "run.finished" }] });
    await eventually(async () => runEventHub().listenerCount(created.id) === 0, 5_000);
  });
});
