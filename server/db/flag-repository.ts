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
