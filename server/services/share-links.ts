import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import type { RunView } from "../contracts/runs-api.ts";
import type { SharedRun, SharedTarget } from "../contracts/share-api.ts";
import { writeAudit, type AuditActor } from "../db/audit-log.ts";
import type { Db } from "../db/client.ts";
import { latestRunsOfService, runLabels } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";
import { getRunView } from "./runs.ts";
import { STORABLE, UNSTORABLE_MESSAGE } from "../core/storable-text.ts";
import { utcMinute } from "../core/change-freeze.ts";

/**
 * Read-only links for stakeholders without an account. A link opens one run, or every release of
 * one service, until it expires or is revoked; whoever holds it sees the live page without
 * controls, configuration, logs, command lines or internal addresses (`toSharedRun`). Only the
 * SHA-256 of its secret is stored, every page view is audited, and a revoked link stops working
 * on its next request (the shared page polls, so within seconds).
 */

/** How long a link may live: one hour to 30 days. */
export const SHARE_EXPIRY_HOURS = [1, 24, 24 * 7, 24 * 30] as const;
const MAX_EXPIRY_HOURS = 24 * 30;
const PREFIX = "fds_";
/** `fds_` + 32 random bytes in base64url. */
const TOKEN_FORMAT = /^fds_[A-Za-z0-9_-]{43}$/;
/** Runs a service link lists, newest first. */
const SERVICE_RUNS_LISTED = 20;


export const ZCreateShareLinkInput = z.object({
  target: z.discriminatedUnion("kind", [z.object({ kind: z.literal("run"), runId: z.uuid("Unknown run") }), z.object({ kind: z.literal("service"), serviceId: z.uuid("Unknown service") })], {
    message: "Share a run or a service",
  }),
  expiresInHours: z.coerce.number("Choose how long the link works").int("Whole hours").min(1, "At least 1 hour").max(MAX_EXPIRY_HOURS, "At most 30 days"),
  label: z.string().trim().max(80, "At most 80 characters").regex(STORABLE, UNSTORABLE_MESSAGE).default(""),
});
export type TCreateShareLinkInput = z.input<typeof ZCreateShareLinkInput>;

export const ZRevokeShareLinkInput = z.object({ id: z.uuid("Unknown link") });

/** A link as Settings lists it: never its secret. */
export type ShareLinkItem = {
  id: string;
  label: string;
  target: string;
  runId: string | null;
  createdByName: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  views: number;
  lastViewedAt: string | null;
  status: "active" | "expired" | "revoked";
};

const sha256Hex = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/** Creates a link and returns its secret, the only time it exists outside the holder's hands. */
export async function createShareLink(db: Db, actor: SessionUser, raw: TCreateShareLinkInput, now = Date.now()): Promise<{ id: string; token: string; expiresAt: string }> {
  const input = ZCreateShareLinkInput.parse(raw);
  const token = PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(now + input.expiresInHours * 3_600_000);
  return db.$transaction(async (tx) => {
    let what: string;
    let runId: string | null = null;
    let serviceId: string | null = null;
    if (input.target.kind === "run") {
      const [run] = await runLabels(tx, [input.target.runId]);
      if (!run) throw new AppError("NOT_FOUND", { message: `run ${input.target.runId} not found`, userMessage: "No such run." });
      what = `run #${run.number} (${run.service.name}, ${run.environmentName})`;
      runId = run.id;
    } else {
      const service = await tx.service.findUnique({ where: { id: input.target.serviceId }, select: { id: true, name: true } });
      if (!service) throw new AppError("NOT_FOUND", { message: `service ${input.target.serviceId} not found`, userMessage: "No such service." });
      what = `the releases of ${service.name}`;
      serviceId = service.id;
    }
    const row = await tx.shareLink.create({
      data: { tokenHash: sha256Hex(token), runId, serviceId, label: input.label, createdBy: actor.id, createdByName: actor.name, expiresAt },
    });
    await writeAudit(tx, {
      actor,
      action: "share.create",
      runId,
      summary: `Created a read-only link to ${what}, valid until ${utcMinute(expiresAt)} UTC${input.label ? ` ("${input.label}")` : ""}`,
      detail: { linkId: row.id, runId, serviceId, expiresAt: expiresAt.toISOString() },
    });
    return { id: row.id, token, expiresAt: expiresAt.toISOString() };
  });
}

/** Revokes a link at once; revoking a revoked link changes nothing. */
export async function revokeShareLink(db: Db, actor: SessionUser, raw: unknown, now = Date.now()): Promise<void> {
  const { id } = ZRevokeShareLinkInput.parse(raw);
  await db.$transaction(async (tx) => {
    const row = await tx.shareLink.findUnique({ where: { id } });
    if (!row) throw new AppError("NOT_FOUND", { message: `share link ${id} not found`, userMessage: "That link does not exist." });
    const { count } = await tx.shareLink.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(now) } });
    if (count === 0) return;
    await writeAudit(tx, { actor, action: "share.revoke", runId: row.runId, summary: `Revoked a read-only link${row.label ? ` ("${row.label}")` : ""}`, detail: { linkId: id } });
  });
}

/** Every link, newest first, with what it opens and whether it still works. */
export async function listShareLinks(db: Db, now = Date.now()): Promise<ShareLinkItem[]> {
  const rows = await db.shareLink.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
  const runIds = rows.flatMap((r) => (r.runId ? [r.runId] : []));
  const serviceIds = rows.flatMap((r) => (r.serviceId ? [r.serviceId] : []));
  const [runs, services] = await Promise.all([
    runLabels(db, runIds),
    db.service.findMany({ where: { id: { in: serviceIds } }, select: { id: true, name: true } }),
  ]);
  const runById = new Map(runs.map((r) => [r.id, r]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  return rows.map((r) => {
    const run = r.runId ? runById.get(r.runId) : undefined;
    const service = r.serviceId ? serviceById.get(r.serviceId) : undefined;
    return {
      id: r.id,
      label: r.label,
      target: run ? `Run #${run.number} · ${run.service.name} ${run.environmentName}` : service ? `Releases of ${service.name}` : "(deleted)",
      runId: r.runId,
      createdByName: r.createdByName,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      revokedAt: r.revokedAt?.toISOString() ?? null,
      views: r.views,
      lastViewedAt: r.lastViewedAt?.toISOString() ?? null,
      status: r.revokedAt ? "revoked" : r.expiresAt.getTime() <= now ? "expired" : "active",
    };
  });
}

type OpenLink = { id: string; runId: string | null; serviceId: string | null; label: string; expiresAt: Date };

/**
 * The live link behind a secret. 404 for anything that is not one of our links (malformed,
 * unknown) — the same answer, so a guesser learns nothing; 410 for an expired or revoked one,
 * which its holder may be told.
 */
export async function openShareLink(db: Db, token: string, now = Date.now()): Promise<OpenLink> {
  const unknown = () => new AppError("NOT_FOUND", { message: "share link unknown", userMessage: "This link does not exist." });
  if (!TOKEN_FORMAT.test(token)) throw unknown();
  const row = await db.shareLink.findUnique({ where: { tokenHash: sha256Hex(token) } });
  if (!row) throw unknown();
  if (row.revokedAt) throw new AppError("GONE", { message: `share link ${row.id} revoked`, userMessage: "This link was revoked. Ask the release manager for a new one." });
  if (row.expiresAt.getTime() <= now) throw new AppError("GONE", { message: `share link ${row.id} expired`, userMessage: "This link has expired. Ask the release manager for a new one." });
  return { id: row.id, runId: row.runId, serviceId: row.serviceId, label: row.label, expiresAt: row.expiresAt };
}

/** The actor a link's views are audited as. */
function linkActor(link: OpenLink): AuditActor {
  return { id: `share-link:${link.id}`, name: `Read-only link${link.label ? ` "${link.label}"` : ""}`, role: "share_link" };
}

/** Counts and audits one view of a shared page (a page load; the page's polling is not a view). */
export async function recordShareView(db: Db, link: OpenLink, runId: string | null, now = Date.now()): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.shareLink.update({ where: { id: link.id }, data: { views: { increment: 1 }, lastViewedAt: new Date(now) } });
    await writeAudit(tx, { actor: linkActor(link), action: "share.view", runId, summary: "Viewed through a read-only link", detail: { linkId: link.id } });
  });
}

/** Whether a link opens this run: its own run, or any run of its service. */
async function linkOpens(db: Db, link: OpenLink, runId: string): Promise<boolean> {
  if (link.runId) return link.runId === runId;
  if (!link.serviceId) return false;
  const [run] = await runLabels(db, [runId]);
  return run?.serviceId === link.serviceId;
}

/** What a link opens: its run, or its service's latest releases and (with `runId`) one of them. */
export async function sharedTarget(db: Db, link: OpenLink, runId: string | null, now = Date.now()): Promise<SharedTarget> {
  const expiresAt = link.expiresAt.toISOString();
  if (link.runId) {
    const view = await getRunView(db, link.runId, now);
    if (!view) throw new AppError("NOT_FOUND", { message: "shared run gone", userMessage: "The shared run no longer exists." });
    return { kind: "run", expiresAt, run: toSharedRun(view), runs: [] };
  }
  const service = link.serviceId ? await db.service.findUnique({ where: { id: link.serviceId }, select: { name: true } }) : null;
  if (!link.serviceId || !service) throw new AppError("NOT_FOUND", { message: "shared service gone", userMessage: "The shared service no longer exists." });
  const rows = await latestRunsOfService(db, link.serviceId, SERVICE_RUNS_LISTED);
  const runs = rows.map((r) => ({ id: r.id, number: r.number, environment: r.environmentName, baselineVersion: r.baselineVersion, targetVersion: r.targetVersion, status: r.status, createdAt: r.createdAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null }));
  let run: SharedRun | null = null;
  if (runId) {
    if (!(await linkOpens(db, link, runId))) throw new AppError("NOT_FOUND", { message: "run outside the shared service", userMessage: "This link does not open that run." });
    const view = await getRunView(db, runId, now);
    run = view ? toSharedRun(view) : null;
  }
  return { kind: "service", serviceName: service.name, expiresAt, run, runs };
}

/** The run a link may show a given run id for, or a 404. */
export async function sharedRunId(db: Db, link: OpenLink, runId: string | null): Promise<string> {
  const id = runId ?? link.runId;
  if (!id || !(await linkOpens(db, link, id))) throw new AppError("NOT_FOUND", { message: "run outside the shared link", userMessage: "This link does not open that run." });
  return id;
}

/**
 * The run page's view without what a stakeholder must not read: no agent logs or findings
 * (command lines, paths, evidence), no audit trail (people's actions), no router or analysis
 * internals beyond what the charts need, no people's ids.
 */
export function toSharedRun(view: RunView): SharedRun {
  const { state } = view;
  return {
    id: view.id,
    number: view.number,
    service: { name: view.service.name },
    environment: view.environment,
    createdAt: view.createdAt,
    serverNow: view.serverNow,
    state,
    decisions: view.decisions.map((d) => ({ id: d.id, at: d.at, stepIndex: d.stepIndex, trigger: d.trigger, verdict: d.verdict, reason: d.reason, evidence: {} })),
    rollback: view.rollback,
  };
}
