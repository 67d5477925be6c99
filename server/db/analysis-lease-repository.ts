import type { Db } from "./client.ts";

/**
 * Analysis leases: with several Flightdeck instances on one database, exactly one analyses a run at
 * a time (evaluates its canary, stores evaluations, dispatches verdicts, persists its windows).
 * Expiry is decided by the database's clock (`now()`), never an instance's, so clock skew between
 * hosts cannot hand a run to two owners.
 */

/**
 * Takes or renews the lease of each run for `owner`, all in one statement: a run with no lease, an
 * expired one, or one `owner` already holds is (re)leased until now + ttlMs; a run another owner
 * holds unexpired is left alone. Returns the runs `owner` holds afterwards.
 */
export async function acquireAnalysisLeases(db: Db, owner: string, runIds: readonly string[], ttlMs: number): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await db.$queryRaw<{ runId: string }[]>`
    INSERT INTO "analysis_lease" ("runId", "owner", "acquiredAt", "expiresAt")
    SELECT id, ${owner}, now(), now() + make_interval(secs => ${ttlMs / 1000}) FROM unnest(${[...runIds]}::text[]) AS id
    ON CONFLICT ("runId") DO UPDATE SET
      "owner" = EXCLUDED."owner",
      "acquiredAt" = CASE WHEN "analysis_lease"."owner" = EXCLUDED."owner" THEN "analysis_lease"."acquiredAt" ELSE EXCLUDED."acquiredAt" END,
      "expiresAt" = EXCLUDED."expiresAt"
    WHERE "analysis_lease"."owner" = EXCLUDED."owner" OR "analysis_lease"."expiresAt" < now()
    RETURNING "runId"`;
  return new Set(rows.map((r) => r.runId));
}

/** Gives up `owner`'s leases (all of them, or only the given runs'): on a clean shutdown, or when a run leaves the rollout. */
export async function releaseAnalysisLeases(db: Db, owner: string, runIds?: readonly string[]): Promise<void> {
  if (runIds && runIds.length === 0) return;
  if (runIds) await db.$executeRaw`DELETE FROM "analysis_lease" WHERE "owner" = ${owner} AND "runId" = ANY(${[...runIds]}::text[])`;
  else await db.$executeRaw`DELETE FROM "analysis_lease" WHERE "owner" = ${owner}`;
}

/** Who analyses a run now: the unexpired lease's owner, or null. */
export async function analysisOwner(db: Db, runId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ owner: string }[]>`SELECT "owner" FROM "analysis_lease" WHERE "runId" = ${runId} AND "expiresAt" > now()`;
  return rows[0]?.owner ?? null;
}

/** Drops expired leases of runs no longer analysed by anyone (housekeeping; any instance may run it). */
export async function pruneExpiredLeases(db: Db, olderThanMs: number): Promise<number> {
  return db.$executeRaw`DELETE FROM "analysis_lease" WHERE "expiresAt" < now() - make_interval(secs => ${olderThanMs / 1000})`;
}
