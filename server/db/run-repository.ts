import type { Db, Tx } from "./client.ts";
import type { RunState } from "../core/types.ts";
import { insertProjection } from "./run-projection.ts";
import { ZRunState } from "./run-state-schema.ts";
import { parseServiceContacts, type TServiceContact } from "./service-contacts-schema.ts";

/**
 * The run repository: the only code that loads, locks and writes release runs and their state.
 * Every stored state is parsed here (run-state-schema.ts); the engine, services, actions and
 * routes go through these functions, never through the table.
 */

/** A stored run state that does not parse: the run's row is damaged or from an unknown version. */
export class StoredStateError extends Error {
  constructor(
    readonly runId: string,
    readonly issue: string,
  ) {
    super(`run ${runId}: stored state does not parse (${issue})`);
    this.name = "StoredStateError";
  }
}

/** The one parse point of a stored run state. */
export function parseRunState(runId: string, json: unknown): RunState {
  const parsed = ZRunState.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StoredStateError(runId, first ? `${first.path.join(".") || "state"}: ${first.message}` : "invalid");
  }
  return parsed.data as RunState;
}

/**
 * Locks a run's row for the rest of the transaction and returns its state; null when there is no
 * such run or (with skipLocked) another transaction holds it.
 */
export async function lockRunState(tx: Tx, runId: string, opts: { skipLocked?: boolean } = {}): Promise<RunState | null> {
  const rows = opts.skipLocked
    ? await tx.$queryRaw<{ state: unknown }[]>`SELECT state FROM release_run WHERE id = ${runId} FOR UPDATE SKIP LOCKED`
    : await tx.$queryRaw<{ state: unknown }[]>`SELECT state FROM release_run WHERE id = ${runId} FOR UPDATE`;
  const row = rows[0];
  return row ? parseRunState(runId, row.state) : null;
}

/** Writes a transition (state, projection, decisions, effects) in the caller's transaction. */
export { persistTransition as saveTransition } from "./run-projection.ts";

/** Next event sequence number of a run (clients detect gaps with it). */
export async function bumpSeq(tx: Tx | Db, runId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ seq: number }[]>`UPDATE release_run SET seq = seq + 1 WHERE id = ${runId} RETURNING seq`;
  return rows[0]?.seq ?? 0;
}

/** A new run with its projection rows (phases, agent tasks, gates, steps), in the caller's transaction. */
export async function insertRun(
  tx: Tx,
  run: { serviceId: string; environmentId: string; createdById: string },
  state: RunState,
  /** what the creator said about the release (the API sets them; the dashboard's form does not) */
  about: { commitSha?: string; commitAt?: Date; releaseNotes?: string; links?: { label: string; url: string }[] } = {},
): Promise<{ id: string; number: number }> {
  const p = state.params;
  const created = await tx.releaseRun.create({
    data: {
      ...run,
      commitSha: about.commitSha ?? null,
      commitAt: about.commitAt ?? null,
      releaseNotes: about.releaseNotes ?? "",
      links: about.links ?? [],
      environmentName: p.environment,
      baselineVersion: p.baselineVersion,
      targetVersion: p.targetVersion,
      strategy: p.strategy,
      risk: p.risk,
      compliance: p.compliance,
      status: state.status,
      phase: state.phase,
      state: state as unknown as object,
      policy: state.policy as unknown as object,
      ...(state.regionPlan ? { regionPlan: state.regionPlan as unknown as object } : {}),
      // A flag run (issue 15): the flag router and OFREP read the flag from these columns.
      ...(p.flag ? { kind: "flag", flagKey: p.flag.key, flagVariant: p.flag.variant, flagBaselineVariant: p.flag.baselineVariant } : {}),
    },
    select: { id: true, number: true },
  });
  await insertProjection(tx, created.id, state);
  return created;
}

/** The run in progress in an environment, if any (one release at a time per environment). */
export function activeRunIn(client: Db | Tx, environmentId: string, activeStatuses: string[]): Promise<{ number: number; kind: string; flagKey: string | null } | null> {
  return client.releaseRun.findFirst({ where: { environmentId, status: { in: activeStatuses } }, select: { number: true, kind: true, flagKey: true } });
}

/** The run in progress in an environment, with its state, or null. */
export async function activeRunWithState(db: Db, environmentId: string, activeStatuses: string[]): Promise<{ id: string; number: number; state: RunState } | null> {
  const row = await db.releaseRun.findFirst({ where: { environmentId, status: { in: activeStatuses } }, select: { id: true, number: true, state: true } });
  return row ? { id: row.id, number: row.number, state: parseRunState(row.id, row.state) } : null;
}

/** Runs whose hold deadline has passed, for the engine's ticker. */
export async function dueRunIds(db: Db, now: number, take = 50): Promise<string[]> {
  const due = await db.releaseRun.findMany({ where: { deadlineAt: { lte: new Date(now) }, status: "running" }, select: { id: true }, take });
  return due.map((r) => r.id);
}

/** Runs in their rollout (running or paused), with their state, for the canary analysis. */
export async function runsInRollout(db: Db): Promise<{ id: string; state: RunState }[]> {
  const rows = await db.releaseRun.findMany({ where: { phase: "rollout", status: { in: ["running", "paused"] } }, select: { id: true, state: true } });
  return rows.map((r) => ({ id: r.id, state: parseRunState(r.id, r.state) }));
}

/**
 * Runs that may hold a canary weight on their router (running or paused, in the rollout or after
 * it), with their state, for the weight reconciler; core/held-weight.ts says which weight.
 */
export async function runsHoldingTraffic(db: Db): Promise<{ id: string; state: RunState }[]> {
  const rows = await db.releaseRun.findMany({ where: { phase: { in: ["rollout", "post_deploy", "record"] }, status: { in: ["running", "paused"] } }, select: { id: true, state: true } });
  return rows.map((r) => ({ id: r.id, state: parseRunState(r.id, r.state) }));
}

/** Whether the engine is moving a run's traffic: a weight change or rollback step waiting in its outbox or being carried out. */
export async function trafficChangeInFlight(client: Db | Tx, runId: string): Promise<boolean> {
  const open = await client.effect.count({ where: { runId, kind: { in: ["setWeight", "rollbackStep"] }, status: { in: ["pending", "running"] } } });
  return open > 0;
}

/** A run's state with its environment's check and hook settings and its service's emergency contacts, for the effect worker. */
export async function loadRunWithSettings(db: Db, runId: string): Promise<{ state: RunState; checks: unknown; hooks: unknown; contacts: TServiceContact[] }> {
  const run = await db.releaseRun.findUniqueOrThrow({
    where: { id: runId },
    select: { state: true, environment: { select: { checks: true, hooks: true } }, service: { select: { contacts: true } } },
  });
  return { state: parseRunState(runId, run.state), checks: run.environment.checks, hooks: run.environment.hooks, contacts: parseServiceContacts(run.service.contacts) };
}

/** Whether a run exists, and its number. */
export function findRunRef(db: Db, runId: string): Promise<{ id: string; number: number } | null> {
  return db.releaseRun.findUnique({ where: { id: runId }, select: { id: true, number: true } });
}

/** Where a run releases: its service's slug and its environment. */
export async function findRunPlace(db: Db, runId: string): Promise<{ service: string; environment: string } | null> {
  const run = await db.releaseRun.findUnique({ where: { id: runId }, select: { environmentName: true, service: { select: { slug: true } } } });
  return run ? { service: run.service.slug, environment: run.environmentName } : null;
}

/** The versions of the run in progress on a service's environment, if any (the demo fleet plays them). */
export function activeRunVersions(db: Db, serviceId: string, environment: string, activeStatuses: string[]): Promise<{ baselineVersion: string; targetVersion: string } | null> {
  // A flag run's "versions" are labels (new-checkout → on): nothing a fleet could play.
  return db.releaseRun.findFirst({ where: { serviceId, environmentName: environment, status: { in: activeStatuses }, kind: "version" }, select: { baselineVersion: true, targetVersion: true } });
}

/** The runs list: newest first, at most `take`, with service and creator names. */
export async function listRunRows(db: Db, filters: { service?: string; environment?: string; statuses?: string[] }, take = 200) {
  const rows = await db.releaseRun.findMany({
    where: {
      ...(filters.service ? { service: { slug: filters.service } } : {}),
      ...(filters.environment ? { environmentName: filters.environment } : {}),
      ...(filters.statuses ? { status: { in: filters.statuses } } : {}),
    },
    include: { service: { select: { slug: true, name: true } }, createdBy: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take,
  });
  return rows.map((r) => ({ ...r, state: parseRunState(r.id, r.state) }));
}

/**
 * Runs as the HTTP API shows them, newest first: by id or number, or filtered by services (slugs),
 * environments and statuses (an empty or absent list = any).
 */
export async function findApiRunRows(
  db: Db,
  where: { id?: string; number?: number; services?: string[]; environments?: string[]; statuses?: string[] },
  take = 20,
) {
  const rows = await db.releaseRun.findMany({
    where: {
      ...(where.id !== undefined ? { id: where.id } : {}),
      ...(where.number !== undefined ? { number: where.number } : {}),
      ...(where.services?.length ? { service: { slug: { in: where.services } } } : {}),
      ...(where.environments?.length ? { environmentName: { in: where.environments } } : {}),
      ...(where.statuses?.length ? { status: { in: where.statuses } } : {}),
    },
    include: { service: { select: { slug: true } }, createdBy: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take,
  });
  return rows.map((r) => ({ ...r, state: parseRunState(r.id, r.state) }));
}
export type ApiRunRow = Awaited<ReturnType<typeof findApiRunRows>>[number];

/** One run with what its page shows: service, creator, agent tasks with findings, decisions, rollback. */
export async function loadRunForPage(db: Db, runId: string) {
  const run = await db.releaseRun.findUnique({
    where: { id: runId },
    include: {
      service: { select: { slug: true, name: true, runbook: true } },
      createdBy: { select: { id: true, name: true } },
      agentTasks: { include: { findings: true } },
      decisions: { orderBy: { createdAt: "asc" } },
      rollback: true,
    },
  });
  return run ? { ...run, state: parseRunState(run.id, run.state) } : null;
}

/** One run with everything its release record needs. */
export async function loadRunForRecord(db: Db, runId: string) {
  const run = await db.releaseRun.findUniqueOrThrow({
    where: { id: runId },
    include: {
      service: true,
      environment: { select: { checks: true } },
      decisions: { orderBy: { createdAt: "asc" } },
      agentTasks: { include: { findings: { orderBy: { createdAt: "asc" } } } },
      gates: { include: { approvals: { orderBy: { createdAt: "asc" } } } },
      rollback: { include: { steps: true } },
    },
  });
  return { ...run, state: parseRunState(run.id, run.state) };
}

/** A run's latest event sequence number; null for an unknown run (socket clients start counting from it). */
export async function runSeq(db: Db, runId: string): Promise<number | null> {
  const run = await db.releaseRun.findUnique({ where: { id: runId }, select: { seq: true } });
  return run ? run.seq : null;
}

/** How many runs are in progress on a service's environment. */
export function countActiveRuns(db: Db, serviceId: string, environment: string, activeStatuses: string[]): Promise<number> {
  return db.releaseRun.count({ where: { serviceId, environmentName: environment, status: { in: activeStatuses } } });
}

/** A run with what the what-if replay reads: its state (steps, analysis config), outcome and decisions in time order. */
export async function loadRunForReplay(db: Db, runId: string) {
  const run = await db.releaseRun.findUnique({
    where: { id: runId },
    select: {
      id: true,
      number: true,
      status: true,
      environmentId: true,
      environmentName: true,
      baselineVersion: true,
      targetVersion: true,
      createdAt: true,
      finishedAt: true,
      outcomeReason: true,
      state: true,
      decisions: { orderBy: { createdAt: "asc" }, select: { stepIndex: true, trigger: true, verdict: true, reason: true, evidence: true, createdAt: true } },
    },
  });
  return run ? { ...run, state: parseRunState(run.id, run.state) } : null;
}

/**
 * The newest finished runs of an environment that an automated analysis watched and that left
 * stored metric windows (what a policy preview replays), newest first, at most `take`.
 */
export async function finishedRunIdsWithWindows(db: Db, environmentId: string, statuses: readonly string[], take: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT r.id FROM release_run r
    WHERE r."environmentId" = ${environmentId}
      AND r.status = ANY(${[...statuses]})
      AND jsonb_typeof(r.state->'params'->'analysis') = 'object'
      AND EXISTS (SELECT 1 FROM metric_window w WHERE w."runId" = r.id)
    ORDER BY r."createdAt" DESC, r.number DESC
    LIMIT ${take}`;
  return rows.map((r) => r.id);
}

/** Runs named for share links and their lists: number, service name and environment, by id. */
export function runLabels(db: Db | Tx, runIds: string[]) {
  return db.releaseRun.findMany({ where: { id: { in: runIds } }, select: { id: true, number: true, serviceId: true, environmentName: true, service: { select: { name: true } } } });
}

/** A service's latest runs, newest first, as a shared service link lists them. */
export function latestRunsOfService(db: Db, serviceId: string, take: number) {
  return db.releaseRun.findMany({
    where: { serviceId },
    orderBy: { number: "desc" },
    take,
    select: { id: true, number: true, environmentName: true, baselineVersion: true, targetVersion: true, status: true, createdAt: true, finishedAt: true },
  });
}

/**
 * Runs that finished in [from, to) (release health), optionally of one service (slug) and
 * environment: status, times, commit time, whether the rollout began, and the rollback's times.
 */
export async function finishedRunsForHealth(db: Db, where: { from: Date; to: Date; service?: string; environment?: string }) {
  const rows = await db.releaseRun.findMany({
    where: {
      finishedAt: { gte: where.from, lt: where.to },
      ...(where.service ? { service: { slug: where.service } } : {}),
      ...(where.environment ? { environmentName: where.environment } : {}),
    },
    select: { id: true, status: true, finishedAt: true, commitAt: true, state: true, rollback: { select: { startedAt: true, finishedAt: true } } },
  });
  return rows.map(({ state, ...r }) => ({ ...r, rolloutStarted: parseRunState(r.id, state).stepIndex >= 0 }));
}

/** The version the environment's latest run released (or tried to), for Settings' "test the queries" default. */
export async function latestTargetVersion(db: Db, environmentId: string): Promise<string | null> {
  const latest = await db.releaseRun.findFirst({ where: { environmentId, kind: "version" }, orderBy: { createdAt: "desc" }, select: { targetVersion: true } });
  return latest?.targetVersion ?? null;
}

/** A run's status as stored (denormalised from its state), or null when there is no such run. */
export async function runStatusOf(db: Db | Tx, runId: string): Promise<string | null> {
  const row = await db.releaseRun.findUnique({ where: { id: runId }, select: { status: true } });
  return row?.status ?? null;
}

/** A flag run's flag: its environment, key, the variant rolled out and the one it replaces. */
export async function flagOfRun(db: Db, runId: string): Promise<{ environmentId: string; key: string; variant: string; baseline: string | null } | null> {
  const run = await db.releaseRun.findUnique({ where: { id: runId }, select: { kind: true, flagKey: true, flagVariant: true, flagBaselineVariant: true, environmentId: true } });
  if (!run || run.kind !== "flag" || !run.flagKey || !run.flagVariant) return null;
  return { environmentId: run.environmentId, key: run.flagKey, variant: run.flagVariant, baseline: run.flagBaselineVariant };
}
