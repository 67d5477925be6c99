import { describe, expect, it } from "vitest";
import { deploymentBand, failureRateBand, leadTimeBand, restoreBand } from "./release-health-bands.ts";
import { DAY_MS, quantile, releaseHealth, weekStartUtc, type HealthRun } from "./release-health.ts";

const H = 3_600_000;
// Monday 2026-11-02 00:00 UTC; a 28-day period of four whole weeks.
const MON = Date.UTC(2026, 10, 2);
const PERIOD = { from: MON, to: MON + 28 * DAY_MS };

function run(over: Partial<HealthRun> = {}): HealthRun {
  return { status: "succeeded", rolloutStarted: true, finishedAt: MON + DAY_MS, commitAt: null, rollback: null, ...over };
}

describe("release health", () => {
  it("with no runs says so instead of inventing figures", () => {
    const h = releaseHealth([], PERIOD);
    expect(h.deployments).toMatchObject({ count: 0, perDay: 0, perWeek: 0 });
    expect(h.leadTime).toMatchObject({ measured: 0, withoutCommitTime: 0, medianMs: null, p90Ms: null, verdict: { band: null } });
    expect(h.changeFailure).toMatchObject({ changes: 0, failed: 0, rate: null, verdict: { band: null, why: "No change reached production in the period." } });
    expect(h.restore).toMatchObject({ restored: 0, medianMs: null, verdict: { band: null, why: "No failed change to restore in the period." } });
    expect(h.weeks).toHaveLength(4);
    expect(h.weeks.every((w) => w.deployments === 0 && w.failureRate === null && w.leadTimeMedianMs === null)).toBe(true);
  });

  it("counts releases that reached 100% per day and per week", () => {
    const runs = Array.from({ length: 14 }, (_, i) => run({ finishedAt: MON + i * 2 * DAY_MS + H }));
    const h = releaseHealth(runs, PERIOD);
    expect(h.deployments).toMatchObject({ count: 14, perDay: 0.5, perWeek: 3.5, verdict: { band: "high" } });
    expect(h.weeks.map((w) => w.deployments)).toEqual([4, 3, 4, 3]);
  });

  it("measures lead time from commit to release over runs with a commit time, and counts those without", () => {
    const runs = [
      run({ commitAt: MON, finishedAt: MON + 1 * H }),
      run({ commitAt: MON, finishedAt: MON + 2 * H }),
      run({ commitAt: MON, finishedAt: MON + 3 * H }),
      run({ commitAt: MON, finishedAt: MON + 11 * H }),
      run({ commitAt: null, finishedAt: MON + 5 * H }),
      // A commit time after the release (a skewed clock) is no lead time: counted as without one.
      run({ commitAt: MON + 9 * H, finishedAt: MON + 6 * H }),
    ];
    const h = releaseHealth(runs, PERIOD);
    expect(h.leadTime).toMatchObject({ measured: 4, withoutCommitTime: 2, medianMs: 2.5 * H, verdict: { band: "elite" } });
    expect(h.leadTime.p90Ms).toBeCloseTo(8.6 * H);
    expect(h.weeks[0]?.leadTimeMedianMs).toBe(2.5 * H);
  });

  it("counts as changes only runs that started the rollout; aborts and gate rejections are not changes", () => {
    const runs = [
      run(),
      run(),
      run({ status: "rolled_back", rollback: { startedAt: MON + DAY_MS - 20 * 60_000, finishedAt: MON + DAY_MS } }),
      run({ status: "failed", rollback: { startedAt: MON + DAY_MS - H, finishedAt: null } }), // the rollback could not revert traffic
      run({ status: "aborted", rolloutStarted: false }),
      run({ status: "failed", rolloutStarted: false }), // rejected at the gate
      run({ status: "rolled_back", rolloutStarted: false, rollback: { startedAt: MON, finishedAt: MON + H } }), // rolled back during the checks
    ];
    const h = releaseHealth(runs, PERIOD);
    expect(h.changeFailure).toMatchObject({ changes: 4, failed: 2, rate: 0.5, notChanges: 3, verdict: { band: null, why: expect.stringContaining("Too few changes") } });
    expect(h.restore).toMatchObject({ restored: 1, notRestored: 1, medianMs: 20 * 60_000, verdict: { band: "elite" } });
    expect(h.weeks[0]).toMatchObject({ changes: 4, failures: 2, failureRate: 0.5 });
  });

  it("takes a run into the period by when it finished: one started before counts, one still running or finished after does not", () => {
    const runs = [
      run({ commitAt: PERIOD.from - 3 * DAY_MS, finishedAt: PERIOD.from + H }), // started before, finished inside
      run({ finishedAt: PERIOD.from - 1 }), // finished just before
      run({ finishedAt: PERIOD.to }), // the end is exclusive
      run({ finishedAt: PERIOD.to - 1 }),
      run({ status: "running", finishedAt: null }),
    ];
    const h = releaseHealth(runs, PERIOD);
    expect(h.deployments.count).toBe(2);
    expect(h.leadTime.medianMs).toBe(3 * DAY_MS + H);
    expect(h.weeks[0]?.deployments).toBe(1);
    expect(h.weeks[3]?.deployments).toBe(1);
  });

  it("cuts weeks at Monday 00:00 UTC, clipping the first and last to the period, whatever zone the runs were made in", () => {
    // Wednesday 2026-11-04 12:00 UTC to Wednesday 2026-11-18 12:00 UTC.
    const period = { from: MON + 2.5 * DAY_MS, to: MON + 16.5 * DAY_MS };
    // Sunday 23:30 in UTC is Monday morning in Tokyo: it still belongs to the first week.
    const sundayLate = MON + 7 * DAY_MS - 30 * 60_000;
    const h = releaseHealth([run({ finishedAt: sundayLate }), run({ finishedAt: MON + 7 * DAY_MS })], period);
    expect(h.weeks.map((w) => [new Date(w.start).toISOString(), w.days])).toEqual([
      ["2026-11-04T12:00:00.000Z", 4.5],
      ["2026-11-09T00:00:00.000Z", 7],
      ["2026-11-16T00:00:00.000Z", 2.5],
    ]);
    expect(h.weeks.map((w) => w.deployments)).toEqual([1, 1, 0]);
    expect(weekStartUtc(Date.UTC(2026, 10, 8, 23, 59))).toBe(MON);
    expect(weekStartUtc(Date.UTC(2026, 10, 9))).toBe(MON + 7 * DAY_MS);
  });

  it("interpolates quantiles between ranks", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
  });
});

describe("DORA bands", () => {
  it("place deployment frequency only when the period can tell", () => {
    expect(deploymentBand(30, 30)).toMatchObject({ band: "elite" });
    expect(deploymentBand(5, 30)).toMatchObject({ band: "high" });
    expect(deploymentBand(2, 30)).toMatchObject({ band: "medium" });
    expect(deploymentBand(1, 90)).toMatchObject({ band: "low" });
    expect(deploymentBand(0, 7)).toMatchObject({ band: null, why: expect.stringContaining("at least 30 days") });
    expect(deploymentBand(3, 2)).toMatchObject({ band: null, why: expect.stringContaining("at least 7 days") });
  });

  it("place lead time, failure rate and time to restore by their thresholds", () => {
    expect(leadTimeBand(2 * DAY_MS, 3)).toMatchObject({ band: "high" });
    expect(leadTimeBand(20 * DAY_MS, 3)).toMatchObject({ band: "medium" });
    expect(leadTimeBand(40 * DAY_MS, 3)).toMatchObject({ band: "low" });
    expect(failureRateBand(1 / 20, 20)).toMatchObject({ band: "elite" });
    expect(failureRateBand(2 / 20, 20)).toMatchObject({ band: "high" });
    expect(failureRateBand(3 / 20, 20)).toMatchObject({ band: "medium" });
    expect(failureRateBand(4 / 20, 20)).toMatchObject({ band: "low" });
    expect(restoreBand(2 * H, 1, 1)).toMatchObject({ band: "high" });
    expect(restoreBand(3 * DAY_MS, 1, 1)).toMatchObject({ band: "medium" });
    expect(restoreBand(8 * DAY_MS, 1, 1)).toMatchObject({ band: "low" });
    expect(restoreBand(null, 0, 2)).toMatchObject({ band: null, why: "No failed change was restored by a rollback in the period." });
  });
});
