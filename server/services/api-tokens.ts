import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { writeAudit, type AuditActor } from "../db/audit-log.ts";

/** What a token may do over the HTTP API; each route asks for exactly one. */
export const API_TOKEN_SCOPES = ["metrics:write", "signals:write", "runs:write"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const ZCreateApiTokenInput = z.object({
  name: z.string().trim().min(2, "At least 2 characters").max(80, "At most 80 characters"),
  scopes: z
    .array(z.enum(API_TOKEN_SCOPES, { message: "Unknown scope" }))
    .min(1, "Choose at least one scope")
    .transform((scopes) => [...new Set(scopes)]),
});
export type TCreateApiTokenInput = z.infer<typeof ZCreateApiTokenInput>;

export const ZRevokeApiTokenInput = z.object({ id: z.uuid("Unknown token") });
export type TRevokeApiTokenInput = z.infer<typeof ZRevokeApiTokenInput>;

/** A token as settings show it: never its hash, never the token itself. */
export type ApiTokenItem = {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** The token row an authenticated API request acts as. */
export type AuthenticatedToken = { id: string; name: string; scopes: string[] };

const PREFIX = "fd_";
/** `fd_` + 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_FORMAT = /^fd_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is a hint for admins, not an access log: one write a minute per token is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

const sha256Hex = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

const invalidToken = (why: string) => new AppError("UNAUTHENTICATED", { message: `api token rejected: ${why}`, userMessage: "Invalid or missing API token" });

/** Who an API token is in the audit trail. */
export function tokenActor(token: AuthenticatedToken): AuditActor {
  return { id: `api-token:${token.id}`, name: `API token "${token.name}"`, role: "api_token" };
}

/**
 * Creates a token and returns it in plain text, the only time it exists outside the caller:
 * the database keeps its SHA-256 only, so a database leak does not leak usable tokens.
 */
export async function createApiToken(db: Db, actor: SessionUser, input: TCreateApiTokenInput): Promise<{ id: string; name: string; scopes: string[]; token: string }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  return db.$transaction(async (tx) => {
    const row = await tx.apiToken.create({ data: { name: input.name, scopes: input.scopes, tokenHash: sha256Hex(token), createdBy: actor.id } });
    await writeAudit(tx, {
      actor,
      action: "api_token.create",
      summary: `Created API token "${input.name}" (${input.scopes.join(", ")})`,
      detail: { tokenId: row.id, name: input.name, scopes: input.scopes },
    });
    return { id: row.id, name: row.name, scopes: row.scopes, token };
  });
}

/** Revokes a token at once; revoking a revoked token changes nothing (and audits nothing). */
export async function revokeApiToken(db: Db, actor: SessionUser, input: TRevokeApiTokenInput, now = Date.now()): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id: input.id }, select: { id: true, name: true, revokedAt: true } });
    if (!row) throw new AppError("NOT_FOUND", { message: `api token ${input.id} not found`, userMessage: "That API token does not exist." });
    // Conditional, so two admins revoking at once write one audit event.
    const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date(now) } });
    if (count === 0) return;
    await writeAudit(tx, { actor, action: "api_token.revoke", summary: `Revoked API token "${row.name}"`, detail: { tokenId: row.id, name: row.name } });
  });
}

/** Every token, newest first, without hashes. */
export async function listApiTokens(db: Db): Promise<ApiTokenItem[]> {
  const rows = await db.apiToken.findMany({
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  }));
}

/**
 * The token behind an `Authorization: Bearer fd_…` header, if it is live and has `scope`.
 * 401 for a missing, malformed, unknown or revoked token (the same message for all, so a
 * caller learns nothing about which); 403 for a live token without the scope.
 *
 * The lookup is by the token's SHA-256: the database compares hashes, never the secret, so
 * its timing says nothing about the token.
 */
export async function authenticateToken(db: Db, authorization: string | null | undefined, scope: ApiTokenScope, now = Date.now()): Promise<AuthenticatedToken> {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token) throw invalidToken("no bearer token");
  if (!TOKEN_FORMAT.test(token)) throw invalidToken("malformed");
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(token) } });
  if (!row) throw invalidToken("unknown");
  if (row.revokedAt) throw invalidToken(`revoked ${row.id}`);
  if (!row.scopes.includes(scope)) {
    throw new AppError("FORBIDDEN", { message: `api token ${row.id} lacks ${scope}`, userMessage: `This API token lacks the ${scope} scope.` });
  }
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so a burst of requests from one token writes once.
    await db.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: new Date(now) },
    });
  }
  return { id: row.id, name: row.name, scopes: row.scopes };
}
