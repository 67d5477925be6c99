import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { toPublicError } from "../errors.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { createShareLink, listShareLinks, openShareLink, recordShareView, revokeShareLink, sharedRunId, sharedTarget } from "./share-links.ts";

// Read-only links against the real PostgreSQL: what a holder sees, for how long, and the trail.
const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

// A validation error becomes a 400 with field errors in the server action (actionResult).
const statusOf = (e: unknown) => (e instanceof ZodError ? 400 : toPublicError(e).status);

describe("share links", () => {
  it("open one run, without logs, findings, audit or people's ids, and every page view is audited", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const { token, id } = await createShareLink(h.db, rm, { target: { kind: "run", runId: run.id }, expiresInHours: 24, label: "support leads" });
    expect(token).toMatch(/^fds_[A-Za-z0-9_-]{43}$/);
    const stored = await h.db.shareLink.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(stored)).not.toContain(token); // only the hash is kept

    const link = await openShareLink(h.db, token);
    const shown = await sharedTarget(h.db, link, null);
    expect(shown.kind).toBe("run");
    expect(shown.run?.number).toBe(run.number);
    expect(Object.keys(shown.run ?? {}).sort()).toEqual(["createdAt", "decisions", "environment", "id", "number", "rollback", "serverNow", "service", "state"]);
    expect(JSON.stringify(shown)).not.toMatch(/"logs"|"findings"|"audit"|"email"/);

    await recordShareView(h.db, link, run.id);
    const views = await h.db.auditEvent.findMany({ where: { runId: run.id, action: { startsWith: "share." } }, orderBy: { id: "asc" } });
    expect(views.map((v) => [v.action, v.actorName])).toEqual([
      ["share.create", rm.name],
      ["share.view", 'Read-only link "support leads"'],
    ]);
    expect((await listShareLinks(h.db)).find((l) => l.id === id)).toMatchObject({ views: 1, status: "active", label: "support leads", createdByName: rm.name });
  });

  it("stops at once when revoked (410), and at its expiry (410); a guess or a malformed link is a 404", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const now = Date.now();
    const live = await createShareLink(h.db, rm, { target: { kind: "run", runId: run.id }, expiresInHours: 1 }, now);
    await revokeShareLink(h.db, rm, { id: live.id });
    await revokeShareLink(h.db, rm, { id: live.id }); // twice changes nothing
    expect(statusOf(await openShareLink(h.db, live.token).catch((e: unknown) => e))).toBe(410);
    expect(await h.db.auditEvent.count({ where: { action: "share.revoke", detail: { path: ["linkId"], equals: live.id } } })).toBe(1);

    const expiring = await createShareLink(h.db, rm, { target: { kind: "run", runId: run.id }, expiresInHours: 1 }, now);
    await expect(openShareLink(h.db, expiring.token, now + 3_599_000)).resolves.toMatchObject({ runId: run.id });
    expect(statusOf(await openShareLink(h.db, expiring.token, now + 3_600_000).catch((e: unknown) => e))).toBe(410);

    for (const guess of ["fds_" + "A".repeat(43), "fds_short", "", "../../etc/passwd"]) {
      expect(statusOf(await openShareLink(h.db, guess).catch((e: unknown) => e)), guess).toBe(404);
    }
  });

  it("a service link lists the service's releases and opens any of them, never another service's run", async () => {
    const svc = await makeService(h.db);
    const other = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const foreign = await startRun(h, rm, runInput(other.id, { environment: "staging", risk: "low" }));
    const { token } = await createShareLink(h.db, rm, { target: { kind: "service", serviceId: svc.id }, expiresInHours: 168 });
    const link = await openShareLink(h.db, token);
    const listed = await sharedTarget(h.db, link, null);
    expect(listed).toMatchObject({ kind: "service", serviceName: svc.name, run: null });
    expect(listed.runs.map((r) => r.id)).toEqual([run.id]);
    expect((await sharedTarget(h.db, link, run.id)).run?.id).toBe(run.id);
    expect(statusOf(await sharedTarget(h.db, link, foreign.id).catch((e: unknown) => e))).toBe(404);
    expect(statusOf(await sharedRunId(h.db, link, foreign.id).catch((e: unknown) => e))).toBe(404);
  });

  it("refuses bad input with field errors and writes nothing", async () => {
    const before = await h.db.shareLink.count();
    for (const input of [
      { target: { kind: "run", runId: "not-a-uuid" }, expiresInHours: 24 },
      { target: { kind: "run", runId: "00000000-0000-4000-8000-000000000000" }, expiresInHours: 24 },
      { target: { kind: "run", runId: "00000000-0000-4000-8000-000000000000" }, expiresInHours: 24 * 31 },
      { target: { kind: "service", serviceId: "00000000-0000-4000-8000-000000000000" }, expiresInHours: 0 },
      { target: { kind: "everything" }, expiresInHours: 24 },
      { target: { kind: "run", runId: "00000000-0000-4000-8000-000000000000" }, expiresInHours: 24, label: "nul\u0000" },
    ]) {
      const e = await createShareLink(h.db, rm, input as never).catch((x: unknown) => x);
      expect([400, 404]).toContain(statusOf(e));
    }
    expect(await h.db.shareLink.count()).toBe(before);
  });
});
