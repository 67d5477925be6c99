import type { Db } from "./client.ts";

/**
 * The flag router's write: the share of targeting keys getting the run's variant. 100 with
 * release=true makes the variant the default and clears the rollout; 0 is a rollback (everyone
 * gets the default again). Bumps the revision so caches and ETags move.
 */
export async function setFlagRollout(
  db: Db,
  where: { environmentId: string; key: string },
  change: { runId: string; variant: string; percent: number; release?: boolean },
): Promise<void> {
  const percent = Math.max(0, Math.min(100, Math.round(change.percent)));
  const data =
    change.release && percent === 100
      ? { defaultVariant: change.variant, rolloutVariant: null, rolloutPercent: 0, rolloutRunId: null }
      : { rolloutVariant: change.variant, rolloutPercent: percent, rolloutRunId: change.runId };
  await db.featureFlag.update({ where: { environmentId_key: where }, data: { ...data, revision: { increment: 1 } } });
}

/** One flag of an environment as a flag run needs it: its variants, default and the rollout in progress. */
export type EnvironmentFlag = {
  key: string;
  description: string;
  variants: { name: string; value: unknown }[];
  defaultVariant: string;
  rolloutRunId: string | null;
  /** the variant a run is rolling out and to what share of users (0 when none is) */
  rolloutVariant: string | null;
  rolloutPercent: number;
};

/** The flags of one environment, by key (what New run offers and createRun checks a flag run against). */
export async function environmentFlags(db: Db, environmentId: string): Promise<EnvironmentFlag[]> {
  const rows = await db.featureFlag.findMany({
    where: { environmentId },
    select: { key: true, description: true, variants: true, defaultVariant: true, rolloutRunId: true, rolloutVariant: true, rolloutPercent: true },
    orderBy: { key: "asc" },
  });
  return rows.map((r) => ({ ...r, variants: parseVariants(r.variants) }));
}

/** Stored variants are written through zod (flag-admin); a row edited by hand still reads as a list. */
function parseVariants(json: unknown): { name: string; value: unknown }[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((v: unknown) => (typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string" ? [{ name: (v as { name: string }).name, value: (v as { value?: unknown }).value }] : []));
}
