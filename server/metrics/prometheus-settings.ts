import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { can } from "../core/permissions.ts";
import type { Db } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";
import { writeAudit } from "../db/audit-log.ts";
import { latestTargetVersion } from "../db/run-repository.ts";
import {
  DEFAULT_PROMETHEUS_QUERIES,
  parseStoredMetricSource,
  ZMetricSourceInput,
  type MetricSourceQueryName,
  type TMetricSource,
  type TMetricSourceParsedInput,
  type TStoredMetricSource,
} from "../db/metric-source-schema.ts";
import { AppError } from "../errors.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { testQueries, type QueryOutcome } from "./prometheus-queries.ts";
import type { Side } from "./types.ts";

const ZEnvironmentId = z.string().trim().min(1).max(100);
const ZVersion = z.string().trim().min(1, "Enter a version").max(100);

/** Settings → save (or clear, with null) an environment's metric source. */
export const ZUpdateMetricSourceInput = z.strictObject({ environmentId: ZEnvironmentId, metricSource: ZMetricSourceInput.nullable() });
export type TUpdateMetricSourceInput = z.infer<typeof ZUpdateMetricSourceInput>;

/** Settings → "Test the queries": the form's values (saved or not) and which versions play each side. */
export const ZTestMetricSourceInput = z.strictObject({
  environmentId: ZEnvironmentId,
  metricSource: ZMetricSourceInput,
  baselineVersion: ZVersion,
  canaryVersion: ZVersion,
});
export type TTestMetricSourceInput = z.infer<typeof ZTestMetricSourceInput>;

/** An environment's metric source as Settings shows it: header values never leave the server. */
export type MetricSourceView = {
  environmentId: string;
  service: string;
  environment: string;
  /** null: none configured (the form starts from the defaults) */
  metricSource: (Omit<TStoredMetricSource, "headers"> & { headers: { name: string }[] }) | null;
  defaults: Record<MetricSourceQueryName, string>;
  /** what the test fills in: the service's current version, and the latest run's target as the canary */
  suggestedVersions: Record<Side, string>;
};

/** The test's answer: every query for each side. */
export type MetricSourceTestResult = { at: string; sides: Record<Side, { version: string; outcomes: QueryOutcome[] }> };

function requireAdmin(actor: SessionUser, what: string): void {
  // The actions check too; checked here as well: a metric source holds credentials and decides rollbacks.
  if (!can(actor.role, "settings.manage")) {
    throw new AppError("FORBIDDEN", { message: `${actor.email} (${actor.role}) denied ${what}`, userMessage: "Your role does not allow this." });
  }
}

async function environmentOf(db: Db, environmentId: string) {
  const env = await db.environment.findUnique({ where: { id: environmentId }, select: { id: true, name: true, metricSource: true, service: { select: { slug: true, currentVersion: true } } } });
  if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
  return env;
}

/**
 * Resolves the form's headers: a typed value goes through `typed` (encrypted to store, as is to
 * test), an empty one takes the stored value of the same header through `kept` (Settings never
 * shows it, so it cannot send it back); an empty value for a header that has none is a field error.
 */
function resolveHeaders(
  input: TMetricSourceParsedInput["headers"],
  stored: TStoredMetricSource | null,
  typed: (value: string) => string,
  kept: (encrypted: string) => string,
): { name: string; value: string }[] {
  const missing: Record<string, string[]> = {};
  const out = input.map((h, i) => {
    if (h.value !== "") return { name: h.name, value: typed(h.value) };
    const previous = stored?.headers.find((s) => s.name.toLowerCase() === h.name.toLowerCase());
    if (!previous) missing[`metricSource.headers.${i}.value`] = ["Enter the header's value"];
    return { name: h.name, value: previous ? kept(previous.value) : "" };
  });
  if (Object.keys(missing).length > 0) throw new AppError("BAD_REQUEST", { message: "metric source header without a value", userMessage: "Please correct the highlighted fields.", fieldErrors: missing });
  return out;
}

function describe(source: TStoredMetricSource | null): string {
  return source ? `Prometheus ${source.url} every ${source.intervalSeconds} s${source.headers.length > 0 ? ` with header ${source.headers.map((h) => h.name).join(", ")}` : ""}` : "none";
}

/** Without secrets, for the audit trail and Settings. */
function withoutSecrets(source: TStoredMetricSource | null): MetricSourceView["metricSource"] {
  return source ? { ...source, headers: source.headers.map((h) => ({ name: h.name })) } : null;
}

/** An environment's metric source for Settings (admins). */
export async function readMetricSource(db: Db, actor: SessionUser, environmentId: string): Promise<MetricSourceView> {
  requireAdmin(actor, "metric source");
  const env = await environmentOf(db, environmentId);
  const latestVersion = await latestTargetVersion(db, env.id);
  return {
    environmentId: env.id,
    service: env.service.slug,
    environment: env.name,
    metricSource: withoutSecrets(parseStoredMetricSource(env.metricSource)),
    defaults: DEFAULT_PROMETHEUS_QUERIES,
    suggestedVersions: { baseline: env.service.currentVersion, canary: latestVersion ?? env.service.currentVersion },
  };
}

/**
 * Saves (or clears) an environment's metric source with its audit event in one transaction. Runs
 * in the environment's rollout are polled from it within seconds (the poller rereads it).
 */
export async function updateMetricSource(db: Db, actor: SessionUser, input: TUpdateMetricSourceInput, encrypt: (v: string) => string = (v) => encryptSecret(v)): Promise<void> {
  requireAdmin(actor, "metric source");
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findUnique({ where: { id: input.environmentId }, select: { id: true, name: true, metricSource: true, service: { select: { slug: true } } } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const before = parseStoredMetricSource(env.metricSource);
    const after: TStoredMetricSource | null = input.metricSource ? { ...input.metricSource, headers: resolveHeaders(input.metricSource.headers, before, encrypt, (stored) => stored) } : null;
    await tx.environment.update({ where: { id: env.id }, data: { metricSource: after ?? Prisma.DbNull } });
    await writeAudit(tx, {
      actor,
      action: "environment.metric_source",
      summary: `Set ${env.service.slug}/${env.name} metric source: ${describe(before)} → ${describe(after)}`,
      detail: { environmentId: env.id, before: withoutSecrets(before), after: withoutSecrets(after) },
    });
  });
}

/**
 * Runs every query of the form's metric source against its Prometheus now, for both sides, and
 * says what came back: numbers, "no data", or the exact error. Writes nothing. Header values left
 * empty are the stored ones, so a saved bearer token can be tested without typing it again.
 */
export async function testMetricSource(db: Db, actor: SessionUser, input: TTestMetricSourceInput, now: number, masterSecret?: string): Promise<MetricSourceTestResult> {
  requireAdmin(actor, "metric source test");
  const env = await environmentOf(db, input.environmentId);
  const stored = parseStoredMetricSource(env.metricSource);
  const headers = resolveHeaders(input.metricSource.headers, stored, (v) => v, (encrypted) => decryptSecret(encrypted, masterSecret));
  const source: TMetricSource = { ...input.metricSource, headers };
  const side = async (s: Side, version: string) => ({ version, outcomes: await testQueries(source, { service: env.service.slug, version, side: s }, now) });
  const [baseline, canary] = await Promise.all([side("baseline", input.baselineVersion), side("canary", input.canaryVersion)]);
  return { at: new Date(now).toISOString(), sides: { baseline, canary } };
}
