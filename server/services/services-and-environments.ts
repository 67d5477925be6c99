import { upcomingFreezes } from "./change-freezes.ts";
import type { Db } from "../db/client.ts";
import { DEFAULT_HOLD_SCALE } from "../core/strategy.ts";
import { parseBlockingSeverity } from "../core/policy.ts";
import { ENVIRONMENTS } from "../core/types.ts";
import { AppError } from "../errors.ts";
import type { SessionUser } from "../auth/session.ts";
import { writeAudit } from "../db/audit-log.ts";
import type { TEnvironmentInput, TGatePolicyInput, TServiceInput } from "./schemas.ts";
import { publicEnvironmentConfig } from "../db/environment-config-schema.ts";
import { parseServiceContacts } from "../db/service-contacts-schema.ts";
import type { ServiceItem } from "../contracts/services-api.ts";
import { publicChecksConfig } from "./checks-config.ts";
import { CHECK_CONFIG_KEYS } from "../adapters/checks/config-schemas.ts";
import { parseAnalysisPolicy } from "./analysis-policy-schema.ts";

export type { ServiceItem } from "../contracts/services-api.ts";

/**
 * Services with their environments. Agent configurations (paths, internal URLs) are included only
 * with `includeChecks`, for the people who manage settings.
 */
export async function listServices(db: Db, opts: { includeChecks?: boolean; includeConfig?: boolean } = {}): Promise<ServiceItem[]> {
  const services = await db.service.findMany({ include: { environments: { orderBy: { name: "desc" } } }, orderBy: { name: "asc" } });
  const freezes = await upcomingFreezes(db, services.flatMap((s) => s.environments.map((e) => e.id)));
  return services.map((s) => ({
    id: s.id,
    slug: s.slug,
    name: s.name,
    description: s.description,
    currentVersion: s.currentVersion,
    runbook: s.runbook,
    contacts: opts.includeConfig ? parseServiceContacts(s.contacts) : null,
    environments: s.environments.map((e) => ({
      id: e.id,
      name: e.name,
      holdScale: e.holdScale,
      blockingSeverity: parseBlockingSeverity(e.blockingSeverity),
      analysisPolicy: parseAnalysisPolicy(e.analysisPolicy),
      router: e.router,
      freeze: freezes.get(e.id) ?? null,
      // In the procedure's order (the database keeps JSON keys in its own order).
      checksConfigured: CHECK_CONFIG_KEYS.filter((k) => ((e.checks as Record<string, unknown> | null) ?? {})[k] !== undefined),
      checks: opts.includeChecks ? publicChecksConfig(e.checks) : {},
      config: opts.includeConfig ? publicEnvironmentConfig(e) : null,
    })),
  }));
}

/** Creates a service with a staging and a production environment (manual router). */
export async function createService(db: Db, actor: SessionUser, input: TServiceInput): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.service.findUnique({ where: { slug: input.slug } });
    if (existing) {
      throw new AppError("CONFLICT", {
        message: `service ${input.slug} exists`,
        userMessage: "A service with this slug already exists.",
        fieldErrors: { slug: ["Already taken"] },
      });
    }
    const service = await tx.service.create({
      data: {
        ...input,
        environments: { create: ENVIRONMENTS.map((name) => ({ name, holdScale: DEFAULT_HOLD_SCALE[name] })) },
      },
    });
    await writeAudit(tx, { actor, action: "service.create", summary: `Created service ${input.slug} at ${input.currentVersion}`, detail: { ...input } });
    return { id: service.id };
  });
}

/** Changes an environment's hold scale (how long holds last there). */
export async function updateEnvironment(db: Db, actor: SessionUser, input: TEnvironmentInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { serviceId: input.serviceId, name: input.name }, include: { service: true } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    await tx.environment.update({ where: { id: env.id }, data: { holdScale: input.holdScale } });
    await writeAudit(tx, {
      actor,
      action: "environment.update",
      summary: `Set ${env.service.slug}/${env.name} hold scale ${env.holdScale} → ${input.holdScale}`,
      detail: { ...input },
    });
  });
}

/**
 * Sets which findings block an environment's gates. Runs already created keep the policy they
 * were created with (it is stored with the run); new runs get this one.
 */
export async function updateGatePolicy(db: Db, actor: SessionUser, input: TGatePolicyInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { serviceId: input.serviceId, name: input.name }, include: { service: true } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const next = input.blockingSeverity === "default" ? null : input.blockingSeverity;
    await tx.environment.update({ where: { id: env.id }, data: { blockingSeverity: next } });
    const say = (v: string | null) => (v ? `${v} or above` : "the procedure's default");
    await writeAudit(tx, {
      actor,
      action: "environment.gate_policy",
      summary: `Set ${env.service.slug}/${env.name} blocking findings: ${say(parseBlockingSeverity(env.blockingSeverity))} → ${say(next)}`,
      detail: { ...input },
    });
  });
}

/** The audit trail, newest first; filterable by run. */
export async function listAudit(db: Db, opts: { limit: number; runId?: string }) {
  const rows = await db.auditEvent.findMany({
    where: opts.runId ? { runId: opts.runId } : {},
    orderBy: { id: "desc" },
    take: opts.limit,
  });
  return rows.map((a) => ({
    id: String(a.id),
    at: a.at.toISOString(),
    actorName: a.actorName,
    actorRole: a.actorRole,
    action: a.action,
    runId: a.runId,
    summary: a.summary,
  }));
}
