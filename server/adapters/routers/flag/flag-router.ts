import type { Db } from "../../../db/client.ts";
import type { RouteTarget, ServedWeight, TrafficRouter } from "../../../engine/ports.ts";
import { setFlagRollout } from "../../../db/flag-repository.ts";
import { flagOfRun } from "../../../db/run-repository.ts";

/**
 * The flag router: a flag run's "weight" is the share of targeting keys that get the run's new
 * variant. It writes FeatureFlag.rolloutPercent (+revision); every instance's OFREP answers follow
 * within the flag cache's refresh (REFRESH_MS). 0 is a rollback (the old default for everyone),
 * 100 releases: the new variant becomes the default and the rollout is cleared.
 */
export class FlagRouter implements TrafficRouter {
  constructor(private readonly db: Db) {}

  private async runFlag(runId: string) {
    const flag = await flagOfRun(this.db, runId);
    if (!flag) throw new Error(`run ${runId} is not a flag run`);
    return flag;
  }

  async setWeight(target: RouteTarget, percent: number): Promise<void> {
    const f = await this.runFlag(target.runId);
    if (percent <= 0 && f.baseline) {
      // A rollback after the release step: the old variant is the default again.
      await this.db.featureFlag.update({
        where: { environmentId_key: { environmentId: f.environmentId, key: f.key } },
        data: { defaultVariant: f.baseline, rolloutVariant: f.variant, rolloutPercent: 0, rolloutRunId: target.runId, revision: { increment: 1 } },
      });
      return;
    }
    await setFlagRollout(this.db, { environmentId: f.environmentId, key: f.key }, { runId: target.runId, variant: f.variant, percent, release: percent >= 100 });
  }

  async servedWeight(target: RouteTarget): Promise<ServedWeight | null> {
    const f = await this.runFlag(target.runId);
    const row = await this.db.featureFlag.findUnique({ where: { environmentId_key: { environmentId: f.environmentId, key: f.key } } });
    if (!row) return null;
    if (row.defaultVariant === f.variant) return { runId: target.runId, percent: 100 };
    if (row.rolloutVariant === f.variant) return { runId: row.rolloutRunId, percent: row.rolloutPercent };
    return { runId: row.rolloutRunId, percent: 0 };
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    const served = await this.servedWeight(target);
    return served !== null && served.percent === Math.max(0, Math.min(100, Math.round(percent)));
  }
}
