import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { activeFreeze, currentOrNextFreeze, freezeWindowProblems, frozenMessage, utcMinute, type FreezeWindow } from "../core/change-freeze.ts";
import type { ChangeFreezeNote } from "../core/types.ts";
import { writeAudit } from "../db/audit-log.ts";
import type { Db, Tx } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { STORABLE, UNSTORABLE_MESSAGE } from "../core/storable-text.ts";

/**
 * Change freezes per environment, scheduled by admins in Settings. A run into a frozen environment
 * is refused (409) unless an admin overrides with a reason; the override is written into the run's
 * policy (shown on the gate and in the release record) and the audit trail. Runs already in
 * progress when a freeze starts carry on: a freeze stops new releases, it does not strand one
 * half-way (roll it back if it must not finish).
 */

const ZReasonText = (min: number, what: string) =>
  z.string("Give a reason").trim().min(min, `Say ${what} (at least ${min} characters)`).max(200, "At most 200 characters").regex(STORABLE, UNSTORABLE_MESSAGE);

export const ZScheduleFreezeInput = z.object({
  environmentId: z.uuid("Choose an environment"),
  startsAt: z.iso.datetime({ offset: true, message: "Enter a date and time" }).transform((s) => new Date(s)),
  endsAt: z.iso.datetime({ offset: true, message: "Enter a date and time" }).transform((s) => new Date(s)),
  reason: ZReasonText(3, "why"),
});
export const ZCancelFreezeInput = z.object({ id: z.uuid("Unknown freeze") });
/** An admin's reason to release during a freeze. */
export const ZFreezeOverrideReason = ZReasonText(10, "why this release cannot wait");

export type FreezeItem = {
  id: string;
  environmentId: string;
  where: string;
  reason: string;
  startsAt: string;
  endsAt: string;
  createdByName: string;
  status: "scheduled" | "in effect";
};

const toWindow = (r: { id: string; reason: string; startsAt: Date; endsAt: Date }): FreezeWindow => ({ id: r.id, reason: r.reason, startsAt: r.startsAt.getTime(), endsAt: r.endsAt.getTime() });

async function windowsOf(db: Db | Tx, environmentIds: string[], now: number): Promise<Map<string, FreezeWindow[]>> {
  const rows = await db.changeFreeze.findMany({ where: { environmentId: { in: environmentIds }, cancelledAt: null, endsAt: { gt: new Date(now) } }, orderBy: { startsAt: "asc" } });
  const by = new Map<string, FreezeWindow[]>();
  for (const r of rows) by.set(r.environmentId, [...(by.get(r.environmentId) ?? []), toWindow(r)]);
  return by;
}

/** Schedules a freeze (admins); refused with field errors when the window is invalid or overlaps another. */
export async function scheduleFreeze(db: Db, actor: SessionUser, raw: unknown, now = Date.now()): Promise<{ id: string }> {
  const input = ZScheduleFreezeInput.parse(raw);
  return db.$transaction(async (tx) => {
    const env = await tx.environment.findUnique({ where: { id: input.environmentId }, include: { service: { select: { name: true, slug: true } } } });
    if (!env) throw new AppError("NOT_FOUND", { message: `environment ${input.environmentId} not found`, userMessage: "That environment does not exist.", fieldErrors: { environmentId: ["Unknown environment"] } });
    // Under the environment's row lock: two admins scheduling at once cannot both pass the overlap check.
    await tx.$queryRaw`SELECT id FROM "environment" WHERE id = ${env.id} FOR UPDATE`;
    const existing = (await windowsOf(tx, [env.id], now)).get(env.id) ?? [];
    const problems = freezeWindowProblems({ startsAt: input.startsAt.getTime(), endsAt: input.endsAt.getTime() }, existing, now);
    if (problems) throw new AppError("BAD_REQUEST", { message: "invalid freeze window", userMessage: "Please correct the highlighted fields.", fieldErrors: problems });
    const row = await tx.changeFreeze.create({ data: { environmentId: env.id, reason: input.reason, startsAt: input.startsAt, endsAt: input.endsAt, createdBy: actor.id, createdByName: actor.name } });
    await writeAudit(tx, {
      actor,
      action: "freeze.schedule",
      summary: `Scheduled a change freeze on ${env.service.slug}/${env.name} from ${utcMinute(input.startsAt)} to ${utcMinute(input.endsAt)} UTC: ${input.reason}`,
      detail: { freezeId: row.id, environmentId: env.id, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
    });
    return { id: row.id };
  });
}

/** Cancels a scheduled or running freeze (admins); cancelling twice changes nothing. */
export async function cancelFreeze(db: Db, actor: SessionUser, raw: unknown, now = Date.now()): Promise<void> {
  const { id } = ZCancelFreezeInput.parse(raw);
  await db.$transaction(async (tx) => {
    const row = await tx.changeFreeze.findUnique({ where: { id } });
    if (!row) throw new AppError("NOT_FOUND", { message: `freeze ${id} not found`, userMessage: "That freeze does not exist." });
    const { count } = await tx.changeFreeze.updateMany({ where: { id, cancelledAt: null }, data: { cancelledAt: new Date(now) } });
    if (count === 0) return;
    await writeAudit(tx, { actor, action: "freeze.cancel", summary: `Cancelled the change freeze “${row.reason}”`, detail: { freezeId: id } });
  });
}

/** Freezes in effect or to come, soonest first. */
export async function listFreezes(db: Db, now = Date.now()): Promise<FreezeItem[]> {
  const rows = await db.changeFreeze.findMany({ where: { cancelledAt: null, endsAt: { gt: new Date(now) } }, orderBy: { startsAt: "asc" }, take: 200 });
  const envs = await db.environment.findMany({ where: { id: { in: rows.map((r) => r.environmentId) } }, select: { id: true, name: true, service: { select: { name: true } } } });
  const byId = new Map(envs.map((e) => [e.id, e]));
  return rows.map((r) => {
    const env = byId.get(r.environmentId);
    return {
      id: r.id,
      environmentId: r.environmentId,
      where: env ? `${env.service.name} ${env.name}` : "(deleted environment)",
      reason: r.reason,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      createdByName: r.createdByName,
      status: r.startsAt.getTime() <= now ? "in effect" : "scheduled",
    };
  });
}

/** Per environment: the freeze in effect or starting within a week, for New run's warning. */
export async function upcomingFreezes(db: Db, environmentIds: string[], now = Date.now()): Promise<Map<string, { reason: string; startsAt: string; endsAt: string; inEffect: boolean }>> {
  const by = await windowsOf(db, environmentIds, now);
  const out = new Map<string, { reason: string; startsAt: string; endsAt: string; inEffect: boolean }>();
  for (const [envId, windows] of by) {
    const w = currentOrNextFreeze(windows, now);
    if (w) out.set(envId, { reason: w.reason, startsAt: new Date(w.startsAt).toISOString(), endsAt: new Date(w.endsAt).toISOString(), inEffect: w.startsAt <= now });
  }
  return out;
}

/**
 * Asked by createRun under the environment's lock: null when the environment is not frozen;
 * the note to keep in the run's policy when an admin overrides; otherwise a 409 that says until
 * when and why (or a 403 when someone other than an admin tries to override).
 */
export async function freezeGate(
  tx: Tx,
  where: { environmentId: string; environment: string; serviceName: string },
  actor: SessionUser,
  overrideReason: string | undefined,
  now: number,
): Promise<ChangeFreezeNote | null> {
  const freeze = activeFreeze((await windowsOf(tx, [where.environmentId], now)).get(where.environmentId) ?? [], now);
  if (!freeze) return null;
  if (overrideReason === undefined || overrideReason.trim() === "") {
    throw new AppError("CONFLICT", { message: `environment ${where.environmentId} frozen (${freeze.id})`, userMessage: frozenMessage(where.environment, where.serviceName, freeze) });
  }
  if (actor.role !== "admin") {
    throw new AppError("FORBIDDEN", { message: `${actor.id} (${actor.role}) tried to override freeze ${freeze.id}`, userMessage: "Only an admin can override a change freeze." });
  }
  const reason = ZFreezeOverrideReason.safeParse(overrideReason);
  if (!reason.success) {
    throw new AppError("BAD_REQUEST", { message: "invalid freeze override reason", userMessage: "Please correct the highlighted fields.", fieldErrors: { freezeOverrideReason: reason.error.issues.map((i) => i.message) } });
  }
  return { freezeReason: freeze.reason, until: new Date(freeze.endsAt).toISOString(), overriddenBy: actor.name, overrideReason: reason.data };
}

