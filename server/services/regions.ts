import type { SessionUser } from "../auth/session.ts";
import { activeRunIn } from "../db/run-repository.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { writeAudit } from "../db/audit-log.ts";
import { can } from "../core/permissions.ts";
import { RUN_STATUSES, TERMINAL_STATUSES } from "../core/types.ts";
import { DEFAULT_REGION_POLICY, describeWindow, wavePlan, type RegionPlan, type RegionPolicy, type RegionSpec, type RegionWindow } from "../core/regions.ts";
import { parseRouterConfig, type TRouterConfig, type TRouterConfigInput } from "../db/environment-config-schema.ts";
import { encryptSecret } from "../secrets.ts";
import { ZRegionPolicy, ZRegionWindow, type TRegionsInput } from "./regions-schema.ts";
import type { Encrypt } from "./environment-config.ts";

// An environment's regions (issue 15): saved as a whole list with the failing-region policy, in
// one transaction with its audit event. A run whose environment has regions goes region by region.

/** A region as the Settings form and the run page see it (a webhook secret only as `secretSet`). */
export type PublicRegion = {
  id: string;
  name: string;
  wave: number;
  timeZone: string;
  windows: RegionWindow[];
  router: Exclude<TRouterConfig, { kind: "webhook" }> | { kind: "webhook"; url: string; secretSet: boolean } | null;
};

/** Stored windows: a list (a single object from older rows is read as a list of one). */
export function parseWindows(json: unknown): RegionWindow[] {
  if (json === null || json === undefined) return [];
  const list = Array.isArray(json) ? json : [json];
  return list.flatMap((w) => {
    const parsed = ZRegionWindow.safeParse(w);
    return parsed.success ? [parsed.data] : [];
  });
}

export function parseRegionPolicy(json: unknown): RegionPolicy {
  const parsed = ZRegionPolicy.safeParse(json);
  return parsed.success ? parsed.data : DEFAULT_REGION_POLICY;
}

function storedRouter(row: { router: string; routerConfig: unknown }): TRouterConfig | null {
  return row.router === "manual" ? { kind: "manual" } : parseRouterConfig(row.routerConfig);
}

/** The environment's regions in wave order and its policy. */
export async function listRegions(db: Db, serviceId: string, environment: string): Promise<{ regions: PublicRegion[]; policy: RegionPolicy }> {
  const env = await db.environment.findFirst({ where: { serviceId, name: environment }, include: { regions: { orderBy: [{ wave: "asc" }, { name: "asc" }] } } });
  if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
  return {
    policy: parseRegionPolicy(env.regionPolicy),
    regions: env.regions.map((r) => {
      const router = storedRouter(r);
      return {
        id: r.id,
        name: r.name,
        wave: r.wave,
        timeZone: r.timeZone,
        windows: parseWindows(r.window),
        router: router?.kind === "webhook" ? { kind: "webhook", url: router.url, secretSet: router.secret.length > 0 } : router,
      };
    }),
  };
}

/** The region plan a new run of this environment starts with, or null when it has no regions. */
export async function regionPlanFor(db: Pick<Db, "environment">, environmentId: string): Promise<RegionPlan | null> {
  const env = await db.environment.findUnique({ where: { id: environmentId }, include: { regions: true } });
  if (!env || env.regions.length === 0) return null;
  // The router column is the kind; its settings may be absent when the router is registered by the
  // process itself (the demo fleet's regional routers), and then the kind still decides: reading
  // such a region as "manual" asked an operator to confirm weights a built-in router would apply.
  const specs: RegionSpec[] = env.regions.map((r) => ({ name: r.name, wave: r.wave, timeZone: r.timeZone, windows: parseWindows(r.window), router: storedRouter(r)?.kind ?? r.router }));
  return wavePlan(specs, parseRegionPolicy(env.regionPolicy));
}

/**
 * Replaces an environment's regions and policy (admins). Refused while a run of the environment
 * is in progress: its plan names the regions it is releasing. A webhook secret left empty keeps
 * the stored one of the region with the same name.
 */
export async function saveRegions(db: Db, actor: SessionUser, input: TRegionsInput, encrypt: Encrypt = (p) => encryptSecret(p)): Promise<void> {
  if (!can(actor.role, "settings.manage")) throw new AppError("FORBIDDEN", { message: "regions need settings.manage", userMessage: "Only an admin can change regions." });
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { serviceId: input.serviceId, name: input.environment }, include: { service: true, regions: true } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const running = await activeRunIn(tx, env.id, RUN_STATUSES.filter((st) => !TERMINAL_STATUSES.includes(st)));
    if (running) throw new AppError("CONFLICT", { message: `run #${running.number} in progress`, userMessage: "A run of this environment is in progress; change its regions when it has finished." });
    const previous = new Map(env.regions.map((r) => [r.name, storedRouter(r)]));
    const rows = input.regions.map((r, i) => {
      const router = routerToStore(r.router, previous.get(r.name) ?? null, encrypt, `regions.${i}.router.secret`);
      return {
        environmentId: env.id,
        name: r.name,
        wave: r.wave,
        timeZone: r.timeZone,
        window: r.windows,
        router: router.kind,
        routerConfig: router.kind === "manual" ? {} : router,
      };
    });
    await tx.region.deleteMany({ where: { environmentId: env.id } });
    if (rows.length > 0) await tx.region.createMany({ data: rows });
    await tx.environment.update({ where: { id: env.id }, data: { regionPolicy: input.policy } });
    const described = input.regions
      .map((r) => `${r.name} (wave ${r.wave}, ${r.timeZone}, ${r.router.kind} router${r.windows.length ? `, ${r.windows.map(describeWindow).join(", ")}` : ""})`)
      .join("; ");
    await writeAudit(tx, {
      actor,
      action: "environment.regions",
      summary:
        rows.length === 0
          ? `Removed the regions of ${env.service.slug}/${env.name}`
          : `Regions of ${env.service.slug}/${env.name}: ${described}; a failing region ${input.policy.rollbackReleasedRegions ? "also rolls back" : "leaves"} the regions already released`,
      detail: {
        serviceId: input.serviceId,
        environment: input.environment,
        policy: input.policy,
        regions: input.regions.map((r) => ({ name: r.name, wave: r.wave, timeZone: r.timeZone, windows: r.windows, router: r.router.kind })),
        previous: env.regions.map((r) => r.name),
      },
    });
  });
}

function routerToStore(input: TRouterConfigInput, stored: TRouterConfig | null, encrypt: Encrypt, field: string): TRouterConfig {
  if (input.kind !== "webhook") return input;
  if (input.secret) return { kind: "webhook", url: input.url, secret: encrypt(input.secret) };
  if (stored?.kind === "webhook") return { kind: "webhook", url: input.url, secret: stored.secret };
  throw new AppError("BAD_REQUEST", { message: `${field} missing for a new webhook`, userMessage: "Please correct the highlighted fields.", fieldErrors: { [field]: ["Enter the shared secret"] } });
}
