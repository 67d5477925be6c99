/**
 * DORA's performance bands for the four figures, as the 2023 Accelerate State of DevOps report
 * draws them. A band is given only when the figure and the period can honestly support it;
 * otherwise the verdict says why not.
 */

export const BANDS = ["elite", "high", "medium", "low"] as const;
export type Band = (typeof BANDS)[number];

/** A band with the rule that placed the figure in it, or no band and why. */
export type BandVerdict = { band: Band; rule: string } | { band: null; why: string };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Shortest period any band is given for: fewer days say little about a habit. */
export const MIN_BAND_DAYS = 7;
/** Telling "medium" (monthly) from "low" needs at least a month of history. */
export const MIN_MONTHLY_DAYS = 30;
/**
 * Fewest changes a failure rate is banded from: below 20, a single failure is already more than
 * 5% (the elite cluster), so the band would describe luck rather than the team.
 */
export const MIN_CHANGES_FOR_RATE_BAND = 20;

/**
 * Deployment frequency — elite: on demand (at least daily on average); high: between once a day
 * and once a week; medium: between once a week and once a month; low: less than once a month.
 */
export function deploymentBand(count: number, days: number): BandVerdict {
  if (days < MIN_BAND_DAYS) return { band: null, why: `A period of at least ${MIN_BAND_DAYS} days is needed for a band.` };
  const perDay = count / days;
  if (perDay >= 1) return { band: "elite", rule: "At least one release a day on average (on demand)." };
  if (perDay * 7 >= 1) return { band: "high", rule: "Between once a day and once a week." };
  if (days < MIN_MONTHLY_DAYS) return { band: null, why: `Fewer than one release a week; a period of at least ${MIN_MONTHLY_DAYS} days tells medium from low.` };
  if (perDay * 30 >= 1) return { band: "medium", rule: "Between once a week and once a month." };
  return { band: "low", rule: "Less than once a month." };
}

/**
 * Lead time for changes (median) — elite: under a day; high: a day to a week; medium: a week to
 * a month; low: longer.
 */
export function leadTimeBand(medianMs: number | null, measured: number): BandVerdict {
  if (medianMs === null || measured === 0) return { band: null, why: "No release in the period carries a commit time." };
  if (medianMs < DAY_MS) return { band: "elite", rule: "Median under one day." };
  if (medianMs <= 7 * DAY_MS) return { band: "high", rule: "Median between one day and one week." };
  if (medianMs <= 30 * DAY_MS) return { band: "medium", rule: "Median between one week and one month." };
  return { band: "low", rule: "Median over one month." };
}

/** Change failure rate — the report's clusters: elite 5%, high 10%, medium 15%, low above that. */
export function failureRateBand(rate: number | null, changes: number): BandVerdict {
  if (rate === null) return { band: null, why: "No change reached production in the period." };
  if (changes < MIN_CHANGES_FOR_RATE_BAND) return { band: null, why: `Too few changes for a band (${changes}; at least ${MIN_CHANGES_FOR_RATE_BAND} needed).` };
  if (rate <= 0.05) return { band: "elite", rule: "5% or less." };
  if (rate <= 0.1) return { band: "high", rule: "Over 5%, up to 10%." };
  if (rate <= 0.15) return { band: "medium", rule: "Over 10%, up to 15%." };
  return { band: "low", rule: "Over 15%." };
}

/**
 * Time to restore (median) — elite: under an hour; high: under a day; medium: a day to a week;
 * low: longer. The median is of restored failures only; the page counts the unrestored ones
 * beside it rather than leaving them out silently.
 */
export function restoreBand(medianMs: number | null, restored: number, failures: number): BandVerdict {
  if (failures === 0) return { band: null, why: "No failed change to restore in the period." };
  if (medianMs === null || restored === 0) return { band: null, why: "No failed change was restored by a rollback in the period." };
  if (medianMs < HOUR_MS) return { band: "elite", rule: "Median under one hour." };
  if (medianMs < DAY_MS) return { band: "high", rule: "Median under one day." };
  if (medianMs <= 7 * DAY_MS) return { band: "medium", rule: "Median between one day and one week." };
  return { band: "low", rule: "Median over one week." };
}
