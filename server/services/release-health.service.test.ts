import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET } from "../../app/api/release-health/route.ts";
import { getAuth } from "../auth/auth.ts";
import { ZReleaseHealth } from "../contracts/release-health-api.ts";
import { createRun as newRunState } from "../core/testing.ts";
import type { RunStatus } from "../core/types.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { insertRun } from "../db/run-repository.ts";
import { toPublicError } from "../errors.ts";
import { setRuntime } from "../runtime.ts";
import { makeService, makeUser } from "../testing/harness.ts";
import { getReleaseHealth } from "./release-health.ts";

// Release health against the real PostgreSQL: runs stored with known times give known figures,
// filtered by service, environment and period; a bad query is a field error.
const url = inject("databaseUrl");
const db = connectDb(url);
const H = 3_600_000;
const D = 24 * H;
const MIN = 60_000;
const NOW = Date.now();
let svc: Awaited<ReturnType<typeof makeService>>;
let viewerCookie = "";

type Stored = {
  status: RunStatus;
  environment?: "staging" | "production";
  /** the rollout's first step was reached */
  rollout?: boolean;
  finishedAgo: number | null;
  commitBefore?: number;
  rollback?: { startedBefore: number; tookMs: number | null };
};

/** Stores a finished (or running) run the way the engine leaves it, with its times set. */
async function store(userId: string, r: Stored): Promise<void> {
  const environment = r.environment ?? "production";
  const env = svc.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`no ${environment}`);
  const finishedAt = r.finishedAgo === null ? null : NOW - r.finishedAgo;
  const state = newRunState({ service: svc.slug, environment, createdBy: userId }, NOW - 40 * D);
  state.status = r.status;
  state.phase = r.status === "running" ? "rollout" : "done";
  state.stepIndex = r.rollout === false ? -1 : 0;
  state.finishedAt = finishedAt;
  const commitAt = finishedAt !== null && r.commitBefore !== undefined ? new Date(finishedAt - r.commitBefore) : undefined;
  const run = await db.$transaction((tx) => insertRun(tx, { serviceId: svc.id, environmentId: env.id, createdById: userId }, state, { commitAt, commitSha: commitAt ? "abc1234" : undefined }));
  await db.releaseRun.update({ where: { id: run.id }, data: { finishedAt: finishedAt === null ? null : new Date(finishedAt) } });
  if (r.rollback && finishedAt !== null) {
    const startedAt = finishedAt - r.rollback.startedBefore;
    await db.rollback.create({
      data: { runId: run.id, reason: "error rate", requestedBy: "engine", status: r.rollback.tookMs === null ? "failed" : "done", startedAt: new Date(startedAt), finishedAt: r.rollback.tookMs === null ? null : new Date(startedAt + r.rollback.tookMs) },
    });
  }
}

beforeAll(async () => {
  svc = await makeService(db);
  const { id } = await makeUser(db, "release_manager");
  const runs: Stored[] = [
    { status: "succeeded", finishedAgo: 1 * D, commitBefore: 1 * H },
    { status: "succeeded", finishedAgo: 2 * D, commitBefore: 2 * H },
    { status: "succeeded", finishedAgo: 9 * D, commitBefore: 3 * H },
    { status: "succeeded", finishedAgo: 16 * D, commitBefore: 11 * H },
    { status: "succeeded", finishedAgo: 3 * D }, // created without a commit time
    { status: "rolled_back", finishedAgo: 5 * D, rollback: { startedBefore: 20 * MIN, tookMs: 20 * MIN } },
    { status: "failed", finishedAgo: 6 * D, rollback: { startedBefore: H, tookMs: null } }, // the rollback could not revert traffic
    { status: "aborted", rollout: false, finishedAgo: 4 * D },
    { status: "failed", rollout: false, finishedAgo: 4 * D }, // rejected at the gate
    { status: "succeeded", finishedAgo: 40 * D, commitBefore: 30 * H }, // outside 30 days, inside 90
    { status: "succeeded", environment: "staging", finishedAgo: 1 * D },
    { status: "running", finishedAgo: null },
  ];
  for (const r of runs) await store(id, r);

  // A signed-in viewer, through Better Auth as the sign-in page does it, for the route's tests.
  setRuntime({ databaseUrl: url, authSecret: "release-health-test-secret-0123456789abcdef", publicUrl: "http://127.0.0.1:3000", testMode: true });
  const viewer = await makeUser(db, "viewer");
  const signedIn = await getAuth().api.signInEmail({ body: { email: viewer.email, password: "correct horse battery" }, headers: new Headers(), returnHeaders: true });
  viewerCookie = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
});
afterAll(async () => {
  await disconnectDb();
});

const failure = (e: unknown) => {
  const p = toPublicError(e);
  return { status: p.status, fieldErrors: p.fieldErrors };
};

describe("release health from stored runs", () => {
  it("gives the last 30 days' figures of one service in production", async () => {
    const h = await getReleaseHealth(db, { service: svc.slug, environment: "production", period: "30d" }, NOW);
    expect(h.period).toMatchObject({ choice: "30d", from: new Date(NOW - 30 * D).toISOString(), to: new Date(NOW).toISOString(), days: 30 });
    expect(h.service).toEqual({ slug: svc.slug, name: svc.name });
    expect(h.deployments).toMatchObject({ count: 5, perWeek: (5 / 30) * 7 });
    expect(h.leadTime).toMatchObject({ measured: 4, withoutCommitTime: 1, medianMs: 2.5 * H, verdict: { band: "elite" } });
    expect(h.changeFailure).toMatchObject({ changes: 7, failed: 2, notChanges: 2, verdict: { band: null } });
    expect(h.changeFailure.rate).toBeCloseTo(2 / 7);
    expect(h.restore).toMatchObject({ restored: 1, notRestored: 1, medianMs: 20 * MIN, verdict: { band: "elite" } });
    expect(h.weeks.reduce((n, w) => n + w.deployments, 0)).toBe(5);
    expect(h.weeks.reduce((n, w) => n + w.changes, 0)).toBe(7);
    expect(h.services).toContainEqual({ slug: svc.slug, name: svc.name });
  });

  it("widens and narrows by period and environment", async () => {
    expect((await getReleaseHealth(db, { service: svc.slug, environment: "production", period: "90d" }, NOW)).deployments.count).toBe(6);
    expect((await getReleaseHealth(db, { service: svc.slug, environment: "production", period: "7d" }, NOW)).deployments.count).toBe(3);
    // Both environments when none is chosen; the default period is 30 days.
    const both = await getReleaseHealth(db, { service: svc.slug }, NOW);
    expect(both).toMatchObject({ environment: null, period: { choice: "30d" }, deployments: { count: 6 } });
  });

  it("reads a custom period as whole UTC days, both ends included", async () => {
    const day = (ago: number) => new Date(NOW - ago * D).toISOString().slice(0, 10);
    const h = await getReleaseHealth(db, { service: svc.slug, environment: "production", period: "custom", from: day(2), to: day(0) }, NOW);
    expect(h.period).toMatchObject({ from: `${day(2)}T00:00:00.000Z`, days: 3 });
    expect(h.deployments.count).toBe(2);
  });

  it("refuses a bad query with the field to correct, and an unknown service as not found", async () => {
    const day = (ago: number) => new Date(NOW - ago * D).toISOString().slice(0, 10);
    const ask = (q: object) => getReleaseHealth(db, q, NOW).then(() => null, failure);
    expect(await ask({ period: "1y" })).toMatchObject({ status: 400, fieldErrors: { period: [expect.stringContaining("7d, 30d, 90d, custom")] } });
    expect(await ask({ environment: "qa" })).toMatchObject({ status: 400, fieldErrors: { environment: ["Choose staging or production"] } });
    expect(await ask({ period: "custom" })).toMatchObject({ status: 400, fieldErrors: { from: [expect.any(String)], to: [expect.any(String)] } });
    expect(await ask({ period: "custom", from: "2026-02-30", to: day(0) })).toMatchObject({ status: 400, fieldErrors: { from: ["Choose the first day (YYYY-MM-DD)"] } });
    expect(await ask({ period: "custom", from: day(1), to: day(3) })).toMatchObject({ status: 400, fieldErrors: { to: ["The last day must not be before the first"] } });
    expect(await ask({ period: "custom", from: day(1), to: day(-1) })).toMatchObject({ status: 400, fieldErrors: { to: ["The last day cannot be in the future"] } });
    expect(await ask({ period: "custom", from: day(366), to: day(0) })).toMatchObject({ status: 400, fieldErrors: { from: ["A period spans at most 366 days"] } });
    expect(await ask({ service: "no-such-service" })).toMatchObject({ status: 404, fieldErrors: { service: ["Unknown service"] } });
  });
});

describe("GET /api/release-health", () => {
  const get = (query: string, cookie = viewerCookie) => GET(new Request(`http://127.0.0.1:3000/api/release-health?${query}`, { headers: cookie ? { cookie } : {} }));

  it("answers a signed-in viewer with the figures in the page's contract; empty parameters mean not given", async () => {
    const res = await get(`service=${svc.slug}&environment=production&period=30d&from=&to=`);
    expect(res.status).toBe(200);
    const body = ZReleaseHealth.parse(await res.json());
    expect(body).toMatchObject({ service: { slug: svc.slug }, deployments: { count: 5 }, changeFailure: { changes: 7, failed: 2 } });
  });

  it("refuses a signed-out request, and names the field of a bad query", async () => {
    const signedOut = await get(`service=${svc.slug}`, "");
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({ error: "Please sign in." });
    const bad = await get("period=custom&from=2026-01-01&to=2024-01-01");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "The last day must not be before the first.", fieldErrors: { to: ["The last day must not be before the first"] } });
  });
});
