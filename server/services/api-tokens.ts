import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { ENVIRONMENTS, ROLES, type Role } from "../core/types.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { writeAudit, type AuditActor } from "../db/audit-log.ts";

/**
 * What a token may do over the HTTP API; each route asks for exactly one, and no scope implies
 * another: a CI job that creates a run and follows it needs both runs:write and runs:read.
 */
export const API_TOKEN_SCOPES = ["runs:read", "runs:write", "metrics:write", "signals:write"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Scopes a token gets when its creator names none (the CLI's `admin token create`): create a run and follow it. */
export const DEFAULT_API_TOKEN_SCOPES: ApiTokenScope[] = ["runs:read", "runs:write"];

/**
 * The reserved, non-routable domain (RFC 2606 `.invalid`) of API-token identities' e-mails: no
 * mail ever reaches one, and no person can register one.
 */
export const API_TOKEN_EMAIL_DOMAIN = "api-token.flightdeck.invalid";

const ZSlug = z.string().trim().min(1).max(40).regex(/^[a-z0-9][a-z0-9-]*$/, "A service slug: lowercase letters, digits and dashes");

export const ZCreateApiTokenInput = z
  .object({
    name: z.string().trim().min(2, "At least 2 characters").max(80, "At most 80 characters"),
    scopes: z
      .array(z.enum(API_TOKEN_SCOPES, { message: "Unknown scope" }))
      .min(1, "Choose at least one scope")
      .default(DEFAULT_API_TOKEN_SCOPES)
      .transform((scopes) => [...new Set(scopes)]),
    /** the role the token acts with (core/permissions.ts); default release_manager when it may write runs, else viewer */
    role: z.enum(ROLES, { message: "Choose a role" }).optional(),
    /** service slugs it may touch; empty = every service */
    services: z.array(ZSlug).max(100, "At most 100 services").default([]).transform((s) => [...new Set(s)]),
    /** environments it may touch; empty = both */
    environments: z.array(z.enum(ENVIRONMENTS, { message: "staging or production" })).default([]).transform((e) => [...new Set(e)]),
  })
  .transform((t) => ({ ...t, role: t.role ?? (t.scopes.includes("runs:write") ? ("release_manager" as const) : ("viewer" as const)) }));
export type TCreateApiTokenInput = z.input<typeof ZCreateApiTokenInput>;

export const ZRevokeApiTokenInput = z.object({ id: z.uuid("Unknown token") });
export type TRevokeApiTokenInput = z.infer<typeof ZRevokeApiTokenInput>;

/** A token as settings show it: never its hash, never the token itself. */
export type ApiTokenItem = {
  id: string;
  name: string;
  scopes: string[];
  /** the role it acts with; null for tokens made before tokens had identities */
  role: Role | null;
  /** service slugs it is limited to; empty = all */
  services: string[];
  /** environments it is limited to; empty = all */
  environments: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** The token an authenticated API request acts as. */
export type AuthenticatedToken = {
  id: string;
  name: string;
  scopes: string[];
  /** service slugs it is limited to; empty = all */
  services: string[];
  /** environments it is limited to; empty = all */
  environments: string[];
  /** the identity it acts under (permission checks, audit, "created by"); null for tokens made before identities */
  user: SessionUser | null;
};

/** What a token's creation returns: the plain token, shown this once and never again. */
export type CreatedApiToken = { id: string; name: string; scopes: string[]; role: Role; services: string[]; environments: string[]; userId: string; token: string };

const PREFIX = "fd_";
/** `fd_` + 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_FORMAT = /^fd_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is a hint for admins, not an access log: one write a minute per token is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

const sha256Hex = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

const invalidToken = (why: string) => new AppError("UNAUTHENTICATED", { message: `api token rejected: ${why}`, userMessage: "Invalid or missing API token" });

const toRole = (value: unknown): Role => ((ROLES as readonly string[]).includes(String(value)) ? (value as Role) : "viewer");

/** Who an API token is in the audit trail: its own identity (or, for a token made before identities, the token). */
export function tokenActor(token: AuthenticatedToken): AuditActor {
  if (token.user) return { id: token.user.id, name: token.user.name, role: token.user.role };
  return { id: `api-token:${token.id}`, name: `API token "${token.name}"`, role: "api_token" };
}

/**
 * The audit actor of `flightdeck admin …`, which works on the database directly (bootstrapping,
 * no session): the operating-system user who ran it, so the trail still says who.
 */
export function localAdminActor(osUser: string): AuditActor {
  const who = osUser.trim().slice(0, 60) || "unknown";
  return { id: `local-admin:${who}`, name: `${who} (flightdeck admin on the server)`, role: "admin" };
}
/** The local administrator when the operating-system user is unknown. */
export const LOCAL_ADMIN_ACTOR: AuditActor = localAdminActor("unknown");

/**
 * Creates a token and returns it in plain text, the only time it exists outside the caller:
 * the database keeps its SHA-256 only, so a database leak does not leak usable tokens.
 *
 * The token acts under an identity of its own: a user row with its role and an e-mail in a
 * reserved domain, but no password account, so nobody can sign in as it. Permission checks and
 * the audit trail treat it like a person.
 */
export async function createApiToken(db: Db, actor: AuditActor, input: TCreateApiTokenInput): Promise<CreatedApiToken> {
  const parsed = ZCreateApiTokenInput.parse(input);
  if (parsed.services.length > 0) {
    const known = await db.service.findMany({ where: { slug: { in: parsed.services } }, select: { slug: true } });
    const unknown = parsed.services.filter((s) => !known.some((k) => k.slug === s));
    if (unknown.length > 0) {
      throw new AppError("BAD_REQUEST", {
        message: `unknown services ${unknown.join(",")}`,
        userMessage: `Unknown service: ${unknown.join(", ")}.`,
        fieldErrors: { services: unknown.map((s) => `No service "${s}"`) },
      });
    }
  }
  const token = PREFIX + randomBytes(32).toString("base64url");
  const userId = randomUUID();
  return db.$transaction(async (tx) => {
    await tx.user.create({
      data: { id: userId, name: `${parsed.name} (API token)`, email: `token-${userId}@${API_TOKEN_EMAIL_DOMAIN}`, emailVerified: false, role: parsed.role },
    });
    const row = await tx.apiToken.create({
      data: {
        name: parsed.name,
        scopes: parsed.scopes,
        tokenHash: sha256Hex(token),
        createdBy: actor.id,
        userId,
        services: parsed.services,
        environments: parsed.environments,
      },
    });
    const limits = [parsed.services.length ? `services ${parsed.services.join(", ")}` : "", parsed.environments.length ? `environments ${parsed.environments.join(", ")}` : ""].filter(Boolean);
    await writeAudit(tx, {
      actor,
      action: "api_token.create",
      summary: `Created API token "${parsed.name}" (${parsed.scopes.join(", ")}; role ${parsed.role}${limits.length ? `; only ${limits.join(" and ")}` : ""})`,
      detail: { tokenId: row.id, name: parsed.name, scopes: parsed.scopes, role: parsed.role, services: parsed.services, environments: parsed.environments, userId },
    });
    return { id: row.id, name: row.name, scopes: row.scopes, role: parsed.role, services: parsed.services, environments: parsed.environments, userId, token };
  });
}

/**
 * Revokes a token at once; revoking a revoked token changes nothing (and audits nothing). Its
 * identity is banned too, so nothing can act as it again, whatever path it would take.
 */
export async function revokeApiToken(db: Db, actor: AuditActor, input: TRevokeApiTokenInput, now = Date.now()): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id: input.id }, select: { id: true, name: true, revokedAt: true, userId: true } });
    if (!row) throw new AppError("NOT_FOUND", { message: `api token ${input.id} not found`, userMessage: "That API token does not exist." });
    // Conditional, so two admins revoking at once write one audit event.
    const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date(now) } });
    if (count === 0) return;
    if (row.userId) await tx.user.updateMany({ where: { id: row.userId }, data: { banned: true, banReason: "API token revoked" } });
    await writeAudit(tx, { actor, action: "api_token.revoke", summary: `Revoked API token "${row.name}"`, detail: { tokenId: row.id, name: row.name } });
  });
}

/** Every token, newest first, without hashes. */
export async function listApiTokens(db: Db): Promise<ApiTokenItem[]> {
  const rows = await db.apiToken.findMany({
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, scopes: true, userId: true, services: true, environments: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
  const ids = rows.flatMap((r) => (r.userId ? [r.userId] : []));
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, role: true } }) : [];
  return rows.map((r) => {
    const user = users.find((u) => u.id === r.userId);
    return {
      id: r.id,
      name: r.name,
      scopes: r.scopes,
      role: user ? toRole(user.role) : null,
      services: r.services,
      environments: r.environments,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      revokedAt: r.revokedAt?.toISOString() ?? null,
    };
  });
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
  const identity = row.userId ? await db.user.findUnique({ where: { id: row.userId }, select: { id: true, name: true, email: true, role: true, banned: true } }) : null;
  if (row.userId && (!identity || identity.banned)) throw invalidToken(`identity of ${row.id} gone or banned`);
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
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    services: row.services,
    environments: row.environments,
    user: identity ? { id: identity.id, name: identity.name, email: identity.email, role: toRole(identity.role) } : null,
  };
}

/**
 * The identity a token acts under for a run command or creation; a token made before tokens had
 * identities has none and may only send metrics and signals (403, with what to do).
 */
export function tokenUser(token: AuthenticatedToken): SessionUser {
  if (token.user) return token.user;
  throw new AppError("FORBIDDEN", {
    message: `api token ${token.id} has no identity`,
    userMessage: "This API token was created before tokens had roles; create a new token to create or command runs.",
  });
}

/** 403 unless the token's service and environment limits (empty = all) include this run's place. */
export function assertTokenMayTouch(token: AuthenticatedToken, place: { service: string; environment: string }): void {
  if (token.services.length > 0 && !token.services.includes(place.service)) {
    throw new AppError("FORBIDDEN", {
      message: `api token ${token.id} not allowed on service ${place.service}`,
      userMessage: `This API token is limited to ${token.services.join(", ")}; it may not touch ${place.service}.`,
    });
  }
  if (token.environments.length > 0 && !token.environments.includes(place.environment)) {
    throw new AppError("FORBIDDEN", {
      message: `api token ${token.id} not allowed in ${place.environment}`,
      userMessage: `This API token is limited to ${token.environments.join(", ")}; it may not touch ${place.environment}.`,
    });
  }
}
