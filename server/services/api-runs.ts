import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db, Tx } from "../db/client.ts";
import { findApiRunRows, type ApiRunRow } from "../db/run-repository.ts";
import { COMMANDS, roleRefusal, ZRunCommandInput } from "../core/commands.ts";
import { can } from "../core/permissions.ts";
import type { GateState } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import { AppError } from "../errors.ts";
import type { ApiRun, TApiCreateRunBody } from "../contracts/api-v1.ts";
import { ZApiCommandBody, ZApiRunListQuery } from "../contracts/api-v1.ts";
import { assertTokenMayTouch, tokenUser, type AuthenticatedToken } from "./api-tokens.ts";
import { ACTIVE_STATUSES, createRun, runCommand, type RunTarget } from "./runs.ts";

/**
 * The HTTP API v1's runs: create (idempotent), list, read and command them as an API token,
 * with the token's identity, role and limits. The routes are thin; this is the logic.
 */

export type ApiRunsDeps = {
  db: Db;
  engine: Engine;
  globalHoldScale: number;
  now: number;
  /** the dashboard's address, for each run's `url` */
  baseUrl: string;
  prepare?: (target: RunTarget) => Promise<void>;
  yieldRehearsal?: (where: { service: string; environment: string }, requestedBy: string) => Promise<void>;
};

const notFound = (ref: string) => new AppError("NOT_FOUND", { message: `run ${ref.slice(0, 60)} not found`, userMessage: `No run ${ref.slice(0, 60)}.` });

const ZStoredLinks = z.array(z.object({ label: z.string(), url: z.string() })).catch([]);

/** The gate the run waits at (approval before the rollout, verification after), with what is missing. */
function gateOf(row: ApiRunRow): ApiRun["gate"] {
  const s = row.state;
  const gate: GateState | null = s.phase === "approval" || s.gate.status === "open" ? s.gate : s.phase === "post_deploy" || s.verification.status === "open" ? s.verification : null;
  if (!gate) return null;
  return {
    kind: gate.kind,
    status: gate.status,
    requiredApprovals: gate.requiredApprovals,
    approvalsMissing: Math.max(0, gate.requiredApprovals - gate.approvals.length),
    approvals: gate.approvals.map((a) => ({ name: a.name, at: new Date(a.at).toISOString() })),
    blockers: gate.blockers.filter((b) => b.waived === null).map((b) => ({ id: b.id, message: b.message, waivable: b.waivable })),
    rejected: gate.rejected ? { by: gate.rejected.by, reason: gate.rejected.reason } : null,
  };
}

/** A stored run as the API shows it. */
export function toApiRun(row: ApiRunRow, baseUrl: string): ApiRun {
  const s = row.state;
  const step = s.stepIndex >= 0 ? s.steps[s.stepIndex] : undefined;
  return {
    id: row.id,
    number: row.number,
    url: `${baseUrl.replace(/\/$/, "")}/runs/${row.id}`,
    service: row.service.slug,
    environment: s.params.environment,
    kind: s.params.flag ? "flag" : "version",
    version: row.targetVersion,
    baselineVersion: row.baselineVersion,
    flag: s.params.flag ? { key: s.params.flag.key, variant: s.params.flag.variant, baselineVariant: s.params.flag.baselineVariant } : null,
    strategy: s.params.strategy,
    risk: s.params.risk,
    compliance: s.params.compliance,
    status: s.status,
    phase: s.phase,
    waitingFor: s.waitingFor,
    canaryPercent: s.canaryPercent,
    currentStep: step ? { index: s.stepIndex, weight: step.percent, steps: s.steps.length, label: step.label } : null,
    gate: gateOf(row),
    outcomeReason: row.outcomeReason,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    createdBy: row.createdBy.name,
    commitSha: row.commitSha,
    commitAt: row.commitAt?.toISOString() ?? null,
    releaseNotes: row.releaseNotes,
    links: ZStoredLinks.parse(row.links),
    seq: row.seq,
  };
}

/** A run by its id (UUID) or number ("42"); 404 for anything else. */
export async function findApiRunRow(db: Db, ref: string): Promise<ApiRunRow> {
  const where = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref)
    ? { id: ref.toLowerCase() }
    : /^[1-9][0-9]{0,9}$/.test(ref) && Number(ref) <= 2_147_483_647
      ? { number: Number(ref) }
      : null;
  const row = where ? (await findApiRunRows(db, where, 1))[0] : undefined;
  if (!row) throw notFound(ref);
  return row;
}

/** GET /api/v1/runs/{ref}: 404 unknown, 403 outside the token's limits. */
export async function getApiRun(db: Db, token: AuthenticatedToken, ref: string, baseUrl: string): Promise<ApiRun> {
  const row = await findApiRunRow(db, ref);
  assertTokenMayTouch(token, { service: row.service.slug, environment: row.environmentName });
  return toApiRun(row, baseUrl);
}

/** GET /api/v1/runs: newest first, within the token's limits (asking for a service outside them is 403). */
export async function listApiRuns(db: Db, token: AuthenticatedToken, query: z.infer<typeof ZApiRunListQuery>, baseUrl: string): Promise<{ runs: ApiRun[] }> {
  if (query.service || query.environment) assertTokenMayTouch(token, { service: query.service ?? token.services[0] ?? "", environment: query.environment ?? token.environments[0] ?? "" });
  const services = query.service ? [query.service] : token.services;
  const environments = query.environment ? [query.environment] : token.environments;
  const statuses = query.status === "active" ? ACTIVE_STATUSES : query.status ? [query.status] : [];
  const rows = await findApiRunRows(db, { services, environments, statuses }, query.limit);
  return { runs: rows.map((r) => toApiRun(r, baseUrl)) };
}

/** An `Idempotency-Key` header: 1–200 visible ASCII characters. */
export const ZIdempotencyKey = z.string().regex(/^[\x21-\x7E]{1,200}$/, "1 to 200 visible ASCII characters (no spaces)");

/** Thrown inside the creation's transaction when a concurrent retry already created the run. */
class AlreadyCreated extends Error {}

/** The request a key stands for: the validated body (defaults applied), so equivalent bodies match. */
const requestHash = (body: TApiCreateRunBody) => createHash("sha256").update(JSON.stringify(body), "utf8").digest("hex");

async function replayed(db: Db | Tx, caller: string, key: string, hash: string): Promise<string | null> {
  const row = await db.idempotencyKey.findUnique({ where: { caller_key: { caller, key } } });
  if (!row) return null;
  if (row.requestHash !== hash) {
    throw new AppError("UNPROCESSABLE", {
      message: `idempotency key reused by ${caller} with another body`,
      userMessage: "This Idempotency-Key was already used with a different request body; use a new key for a different run.",
    });
  }
  return row.runId;
}

const isUniqueViolation = (e: unknown) => typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";

/**
 * POST /api/v1/runs. With an Idempotency-Key, the same caller, key and body answer with the run
 * the first request created (`replay: true`) and never create a second, even when the retries
 * race: the key is recorded in the run's own transaction (unique per caller and key), and a retry
 * that waited on the environment's lock sees it there.
 */
export async function createApiRun(deps: ApiRunsDeps, token: AuthenticatedToken, body: TApiCreateRunBody, idempotencyKey: string | null): Promise<{ run: ApiRun; replay: boolean }> {
  const { db } = deps;
  const user = tokenUser(token);
  if (!can(user.role, "run.create")) {
    throw new AppError("FORBIDDEN", { message: `${user.id} (${user.role}) denied run.create`, userMessage: `This API token's role (${user.role}) may not create runs.` });
  }
  assertTokenMayTouch(token, { service: body.service, environment: body.environment });
  const caller = token.id;
  const hash = requestHash(body);
  const answer = async (runId: string, replay: boolean) => ({ run: toApiRun(await findApiRunRow(db, runId), deps.baseUrl), replay });

  if (idempotencyKey !== null) {
    const earlier = await replayed(db, caller, idempotencyKey, hash);
    if (earlier) return answer(earlier, true);
  }
  const service = await db.service.findUnique({ where: { slug: body.service }, select: { id: true } });
  if (!service) {
    throw new AppError("NOT_FOUND", { message: `service ${body.service}`, userMessage: `No service "${body.service}".`, fieldErrors: { service: [`No service "${body.service}"`] } });
  }
  try {
    const created = await createRun(
      {
        db,
        engine: deps.engine,
        globalHoldScale: deps.globalHoldScale,
        now: deps.now,
        ...(deps.prepare ? { prepare: deps.prepare } : {}),
        ...(deps.yieldRehearsal ? { yieldRehearsal: deps.yieldRehearsal } : {}),
        ...(idempotencyKey !== null
          ? {
              inCreation: {
                beforeInsert: async (tx: Tx) => {
                  if (await replayed(tx, caller, idempotencyKey, hash)) throw new AlreadyCreated();
                },
                afterInsert: async (tx: Tx, run: { id: string }) => {
                  await tx.idempotencyKey.create({ data: { caller, key: idempotencyKey, requestHash: hash, runId: run.id } });
                },
              },
            }
          : {}),
      },
      user,
      {
        serviceId: service.id,
        environment: body.environment,
        kind: body.kind,
        ...(body.version !== undefined ? { targetVersion: body.version } : {}),
        ...(body.flag ? { flag: body.flag } : {}),
        strategy: body.strategy,
        risk: body.risk,
        compliance: body.compliance,
        ...(body.commitSha ? { commitSha: body.commitSha } : {}),
        ...(body.commitTime ? { commitAt: new Date(body.commitTime) } : {}),
        releaseNotes: body.releaseNotes,
        links: body.links,
        ...(body.freezeOverrideReason ? { freezeOverrideReason: body.freezeOverrideReason } : {}),
      },
    );
    return answer(created.id, false);
  } catch (e) {
    // A concurrent retry got there first (seen under the lock, by the unique index, or as the busy
    // environment its own run now holds): answer with that run.
    if (idempotencyKey !== null && (e instanceof AlreadyCreated || isUniqueViolation(e) || (e instanceof AppError && e.code === "CONFLICT"))) {
      const earlier = await replayed(db, caller, idempotencyKey, hash);
      if (earlier) return answer(earlier, true);
    }
    // The core names the form's field; the API's is `version`.
    if (e instanceof AppError && e.fieldErrors?.targetVersion) {
      const { targetVersion, ...rest } = e.fieldErrors;
      throw new AppError(e.code, { message: e.message, userMessage: e.userMessage, fieldErrors: { ...rest, version: targetVersion } });
    }
    throw e;
  }
}

/**
 * POST /api/v1/runs/{ref}/commands as a token: the token's identity and role go through the same
 * permission check and audit as a person's (the engine's decide checks again).
 */
export async function sendApiCommand(db: Db, engine: Engine, token: AuthenticatedToken, ref: string, body: z.infer<typeof ZApiCommandBody>): Promise<{ ok: true; note: string | null }> {
  const user = tokenUser(token);
  const row = await findApiRunRow(db, ref);
  assertTokenMayTouch(token, { service: row.service.slug, environment: row.environmentName });
  if (!can(user.role, COMMANDS[body.kind].permission)) {
    throw new AppError("FORBIDDEN", { message: `${user.id} (${user.role}) denied ${body.kind}`, userMessage: roleRefusal(body.kind, user).replace("Your role", "This API token's role") });
  }
  const result = await runCommand(engine, user, ZRunCommandInput.parse({ ...body, runId: row.id }));
  return { ok: true, note: result.note };
}
