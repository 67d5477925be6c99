import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { makeUser } from "../testing/harness.ts";
import { authenticateToken, createApiToken, listApiTokens, LOCAL_ADMIN_ACTOR, localAdminActor, revokeApiToken, ZCreateApiTokenInput } from "./api-tokens.ts";

const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
});
afterAll(async () => {
  await disconnectDb();
});

/** The AppError a call rejects with (fails the test when it resolves or throws something else). */
async function appError(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

const bearer = (token: string) => `Bearer ${token}`;

describe("API tokens", () => {
  it("returns the token once, stores only its SHA-256, and authenticates it for its scope", async () => {
    const created = await createApiToken(db, admin, { name: "checkout CI", scopes: ["metrics:write", "signals:write"] });
    expect(created.token).toMatch(/^fd_[A-Za-z0-9_-]{43}$/);

    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(3));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "api_token.create", actorId: admin.id }, orderBy: { id: "desc" } });
    expect(JSON.stringify({ ...audit, id: String(audit.id) })).not.toContain(created.token.slice(3));
    expect(audit.summary).toContain("checkout CI");

    const auth = await authenticateToken(db, bearer(created.token), "metrics:write");
    expect(auth).toEqual({
      id: created.id,
      name: "checkout CI",
      scopes: ["metrics:write", "signals:write"],
      services: [],
      environments: [],
      user: { id: created.userId, name: "checkout CI (API token)", email: `token-${created.userId}@api-token.flightdeck.invalid`, role: "viewer" },
    });
    expect(await authenticateToken(db, `bearer   ${created.token}`, "signals:write")).toMatchObject({ id: created.id });
  });

  it("refuses a live token without the scope with FORBIDDEN", async () => {
    const { token } = await createApiToken(db, admin, { name: "metrics only", scopes: ["metrics:write"] });
    const e = await appError(authenticateToken(db, bearer(token), "signals:write"));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.status).toBe(403);
    expect(e.userMessage).toContain("signals:write");
  });

  it("refuses missing, malformed, unknown and revoked tokens alike with UNAUTHENTICATED", async () => {
    const { id, token } = await createApiToken(db, admin, { name: "soon revoked", scopes: ["metrics:write"] });
    await revokeApiToken(db, admin, { id });
    const unknown = `fd_${"A".repeat(43)}`;
    for (const header of [null, "", "Basic abc", "Bearer", `Bearer ${token}x`, token, bearer(unknown), bearer(token)]) {
      const e = await appError(authenticateToken(db, header, "metrics:write"));
      expect(e.code, String(header)).toBe("UNAUTHENTICATED");
      expect(e.userMessage).toBe("Invalid or missing API token");
    }
  });

  it("revokes once: a second revoke changes nothing and writes no second audit event", async () => {
    const { id } = await createApiToken(db, admin, { name: "double revoke", scopes: ["runs:write"] });
    await revokeApiToken(db, admin, { id }, Date.parse("2026-01-01T00:00:00Z"));
    await revokeApiToken(db, admin, { id }, Date.parse("2026-02-01T00:00:00Z"));
    const row = await db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.revokedAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    const audits = await db.auditEvent.findMany({ where: { action: "api_token.revoke", detail: { path: ["tokenId"], equals: id } } });
    expect(audits).toHaveLength(1);
    const missing = await appError(revokeApiToken(db, admin, { id: "00000000-0000-4000-8000-000000000000" }));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("records the last use at most once a minute", async () => {
    const { id, token } = await createApiToken(db, admin, { name: "last used", scopes: ["metrics:write"] });
    const t0 = Date.parse("2026-03-01T12:00:00Z");
    const lastUsed = async () => (await db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime() ?? null;
    expect(await lastUsed()).toBeNull();
    await authenticateToken(db, bearer(token), "metrics:write", t0);
    expect(await lastUsed()).toBe(t0);
    await authenticateToken(db, bearer(token), "metrics:write", t0 + 30_000);
    expect(await lastUsed()).toBe(t0);
    await authenticateToken(db, bearer(token), "metrics:write", t0 + 61_000);
    expect(await lastUsed()).toBe(t0 + 61_000);
  });

  it("lists tokens with their state and never a hash", async () => {
    const { id } = await createApiToken(db, admin, { name: "listed", scopes: ["signals:write"] });
    const item = (await listApiTokens(db)).find((t) => t.id === id);
    expect(item).toMatchObject({ name: "listed", scopes: ["signals:write"], lastUsedAt: null, revokedAt: null });
    expect(Object.keys(item ?? {})).not.toContain("tokenHash");
  });

  it("validates the create input: a name and at least one known scope", () => {
    const bad = ZCreateApiTokenInput.safeParse({ name: "x", scopes: ["admin:all"] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["name", "scopes.0"]));
    expect(ZCreateApiTokenInput.safeParse({ name: "ci", scopes: [] }).error?.issues[0]?.message).toBe("Choose at least one scope");
    expect(ZCreateApiTokenInput.parse({ name: " ci ", scopes: ["runs:write", "runs:write"] })).toEqual({ name: "ci", scopes: ["runs:write"], role: "release_manager", services: [], environments: [] });
    // No scopes named (the CLI's admin command): create a run and follow it.
    expect(ZCreateApiTokenInput.parse({ name: "ci" })).toMatchObject({ scopes: ["runs:read", "runs:write"], role: "release_manager" });
    expect(ZCreateApiTokenInput.safeParse({ name: "ci", role: "root", environments: ["qa"] }).error?.issues.map((i) => i.path.join("."))).toEqual(["role", "environments.0"]);
  });

  it("gives each token an identity of its own with its role, which cannot sign in and is banned on revocation", async () => {
    const created = await createApiToken(db, localAdminActor("deploy"), { name: "ci", role: "on_call", services: [], environments: ["staging"] });
    const user = await db.user.findUniqueOrThrow({ where: { id: created.userId }, include: { accounts: true } });
    expect(user).toMatchObject({ name: "ci (API token)", role: "on_call", banned: false });
    expect(user.email.endsWith("@api-token.flightdeck.invalid")).toBe(true);
    expect(user.accounts).toEqual([]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "api_token.create", detail: { path: ["tokenId"], equals: created.id } } });
    expect(audit).toMatchObject({ actorId: "local-admin:deploy", actorName: "deploy (flightdeck admin on the server)" });
    expect(audit.summary).toContain("role on_call; only environments staging");
    const listed = (await listApiTokens(db)).find((t) => t.id === created.id);
    expect(listed).toMatchObject({ role: "on_call", environments: ["staging"], services: [] });
    await revokeApiToken(db, LOCAL_ADMIN_ACTOR, { id: created.id });
    expect((await db.user.findUniqueOrThrow({ where: { id: created.userId } })).banned).toBe(true);
  });
});
