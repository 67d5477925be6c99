import type { Db } from "../db/client.ts";
import { murmur3, type FlagState, type FlagVariant } from "../core/flags.ts";

/**
 * Flags of one service/environment, cached in memory per instance. Flightdeck may run as several
 * instances and a flag run's router writes FeatureFlag.rolloutPercent (+revision) on whichever
 * instance owns the run, so each instance re-reads the environment's flags at most every
 * REFRESH_MS: a rollback reaches every instance's OFREP answers within that bound plus the query.
 */
export const REFRESH_MS = 250;

export interface EnvironmentFlags {
  /** null when the service or environment does not exist */
  flags: Map<string, FlagState & { revision: number }> | null;
  /** changes whenever any flag of the environment changes: the bulk ETag */
  etag: string;
}

interface Entry {
  at: number;
  value: EnvironmentFlags;
  pending?: Promise<EnvironmentFlags>;
}

export class FlagCache {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(service: string, environment: string): Promise<EnvironmentFlags> {
    const id = `${service}\u0000${environment}`;
    const entry = this.entries.get(id);
    const now = this.clock();
    if (entry && now - entry.at < REFRESH_MS) return entry.value;
    // One query in flight per environment however many evaluations arrive meanwhile.
    if (entry?.pending) return entry.pending;
    const pending = loadEnvironmentFlags(this.db, service, environment).then(
      (value) => {
        this.entries.set(id, { at: this.clock(), value });
        return value;
      },
      (e: unknown) => {
        if (entry) entry.pending = undefined;
        throw e;
      },
    );
    if (entry) entry.pending = pending;
    else this.entries.set(id, { at: -Infinity, value: { flags: null, etag: "" }, pending });
    return pending;
  }

  /** After a write on this instance: the next evaluation reads the database. */
  invalidate(): void {
    this.entries.clear();
  }
}

export async function loadEnvironmentFlags(db: Db, service: string, environment: string): Promise<EnvironmentFlags> {
  const env = await db.environment.findFirst({
    where: { name: environment, service: { slug: service } },
    select: { flags: { select: { key: true, variants: true, defaultVariant: true, rolloutVariant: true, rolloutPercent: true, rolloutRunId: true, revision: true, id: true } } },
  });
  if (!env) return { flags: null, etag: '"none"' };
  const flags = new Map<string, FlagState & { revision: number }>();
  const parts: string[] = [];
  for (const f of env.flags) {
    flags.set(f.key, {
      key: f.key,
      variants: f.variants as unknown as FlagVariant[],
      defaultVariant: f.defaultVariant,
      rolloutVariant: f.rolloutVariant,
      rolloutPercent: f.rolloutPercent,
      rolloutRunId: f.rolloutRunId,
      revision: f.revision,
    });
    parts.push(`${f.id}:${f.revision}`);
  }
  parts.sort();
  return { flags, etag: `"${murmur3(parts.join(",")).toString(36)}-${parts.length}"` };
}

export { setFlagRollout } from "../db/flag-repository.ts";
