import { deploymentBand, failureRateBand, leadTimeBand, restoreBand, type BandVerdict } from "./release-health-bands.ts";

/**
 * Release health: DORA-style figures computed from finished runs. Pure: the runs and the period
 * come in (epoch ms), the figures go out. Every calendar decision is made in UTC (weeks start on
 * Monday 00:00 UTC) so two viewers in different zones see the same numbers.
 */

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** Longest period the page may ask for (a year, leap day included). */
export const MAX_PERIOD_DAYS = 366;

/** What the figures need of one run; the service maps stored runs to this. */
export type HealthRun = {
  /** final status; runs still under way are not counted */
  status: "succeeded" | "rolled_back" | "failed" | "aborted" | "running" | "paused" | "rolling_back";
  /** the rollout began (the first traffic step was reached); before that nothing touched production */
  rolloutStarted: boolean;
  /** when the run ended (epoch ms); null while it runs */
  finishedAt: number | null;
  /** when the released commit was made (epoch ms); null when the run was created without it */
  commitAt: number | null;
  /** the rollback, if one started: when it started (the failure was acted on) and finished (baseline back) */
  rollback: { startedAt: number; finishedAt: number | null } | null;
};

/** A half-open period [from, to) in epoch ms. */
export type Period = { from: number; to: number };

/** One Monday-to-Sunday UTC week of the charts (clipped to the period at both ends). */
export type HealthWeek = {
  /** first instant of the week inside the period (epoch ms) */
  start: number;
  /** days of the period this week covers (7 except, possibly, the first and last) */
  days: number;
  deployments: number;
  /** median lead time of the week's releases that carry a commit time; null when none do */
  leadTimeMedianMs: number | null;
  changes: number;
  failures: number;
  /** failures ÷ changes; null when there were no changes */
  failureRate: number | null;
};

export type ReleaseHealth = {
  period: Period & { days: number };
  deployments: { count: number; perDay: number; perWeek: number; verdict: BandVerdict };
  leadTime: { measured: number; withoutCommitTime: number; medianMs: number | null; p90Ms: number | null; verdict: BandVerdict };
  changeFailure: {
    /** runs that started the rollout and ended */
    changes: number;
    /** of those, rolled back or failed */
    failed: number;
    rate: number | null;
    /** ended before the rollout (aborted, rejected at the gate, rolled back during checks): not changes to production */
    notChanges: number;
    verdict: BandVerdict;
  };
  restore: {
    /** failed changes whose rollback brought the baseline back */
    restored: number;
    /** failed changes whose rollback did not finish or could not revert traffic */
    notRestored: number;
    medianMs: number | null;
    p90Ms: number | null;
    verdict: BandVerdict;
  };
  weeks: HealthWeek[];
};

/**
 * The q-quantile (0…1) of the values by linear interpolation between closest ranks (the same
 * rule as numpy's default and Excel's PERCENTILE.INC); null for no values.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}

/** Monday 00:00 UTC of the week holding `at`. */
export function weekStartUtc(at: number): number {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - weekday * DAY_MS;
}

const inPeriod = (at: number | null, p: Period): at is number => at !== null && at >= p.from && at < p.to;

/** A failed change: it reached production and was rolled back or failed (a failed rollback included). */
const isFailure = (r: HealthRun) => r.status === "rolled_back" || r.status === "failed";
const leadTimeOf = (r: HealthRun): number | null => (r.commitAt !== null && r.finishedAt !== null && r.commitAt <= r.finishedAt ? r.finishedAt - r.commitAt : null);
const restoreTimeOf = (r: HealthRun): number | null =>
  r.status === "rolled_back" && r.rollback ? Math.max(0, (r.rollback.finishedAt ?? r.finishedAt ?? r.rollback.startedAt) - r.rollback.startedAt) : null;

/**
 * The figures for the runs that *finished* inside the period: a run that started before the
 * period and ended inside it counts; one still under way at its end does not (it has no outcome).
 */
export function releaseHealth(allRuns: readonly HealthRun[], period: Period): ReleaseHealth {
  const days = Math.max(0, (period.to - period.from) / DAY_MS);
  const runs = allRuns.filter((r) => inPeriod(r.finishedAt, period) && (r.status === "succeeded" || r.status === "rolled_back" || r.status === "failed" || r.status === "aborted"));

  const released = runs.filter((r) => r.status === "succeeded");
  const leadTimes = released.map(leadTimeOf).filter((v): v is number => v !== null);
  const changes = runs.filter((r) => r.status !== "aborted" && r.rolloutStarted);
  const failures = changes.filter(isFailure);
  const restoreTimes = failures.map(restoreTimeOf).filter((v): v is number => v !== null);

  const perDay = days > 0 ? released.length / days : 0;
  const leadMedian = quantile(leadTimes, 0.5);
  const rate = changes.length > 0 ? failures.length / changes.length : null;
  const restoreMedian = quantile(restoreTimes, 0.5);

  return {
    period: { ...period, days },
    deployments: { count: released.length, perDay, perWeek: perDay * 7, verdict: deploymentBand(released.length, days) },
    leadTime: {
      measured: leadTimes.length,
      withoutCommitTime: released.length - leadTimes.length,
      medianMs: leadMedian,
      p90Ms: quantile(leadTimes, 0.9),
      verdict: leadTimeBand(leadMedian, leadTimes.length),
    },
    changeFailure: { changes: changes.length, failed: failures.length, rate, notChanges: runs.length - changes.length, verdict: failureRateBand(rate, changes.length) },
    restore: {
      restored: restoreTimes.length,
      notRestored: failures.length - restoreTimes.length,
      medianMs: restoreMedian,
      p90Ms: quantile(restoreTimes, 0.9),
      verdict: restoreBand(restoreMedian, restoreTimes.length, failures.length),
    },
    weeks: weeksOf(runs, period),
  };
}

/** The period cut into UTC weeks, each with its own figures (what the charts draw). */
function weeksOf(runs: readonly HealthRun[], period: Period): HealthWeek[] {
  const weeks: HealthWeek[] = [];
  for (let monday = weekStartUtc(period.from); monday < period.to; monday += WEEK_MS) {
    const start = Math.max(monday, period.from);
    const end = Math.min(monday + WEEK_MS, period.to);
    const inWeek = runs.filter((r) => inPeriod(r.finishedAt, { from: start, to: end }));
    const changes = inWeek.filter((r) => r.status !== "aborted" && r.rolloutStarted);
    const failures = changes.filter(isFailure).length;
    const leadTimes = inWeek
      .filter((r) => r.status === "succeeded")
      .map(leadTimeOf)
      .filter((v): v is number => v !== null);
    weeks.push({
      start,
      days: (end - start) / DAY_MS,
      deployments: inWeek.filter((r) => r.status === "succeeded").length,
      leadTimeMedianMs: quantile(leadTimes, 0.5),
      changes: changes.length,
      failures,
      failureRate: changes.length > 0 ? failures / changes.length : null,
    });
  }
  return weeks;
}
