/**
 * A step's stored evaluations as series for the difference chart (STATISTICS.md "Show the
 * evidence"): which evaluations to keep when a step has thousands (one is stored every second),
 * and per statistical test the numbers of each kept one, with the lower confidence bound the
 * stored rows do not carry. Pure.
 */
import { lowerBound, upperBound } from "./confidence.ts";
import type { Verdict } from "./triggers.ts";

/** Points per step the chart receives: enough for a smooth line, few enough to send every few seconds. */
export const MAX_HISTORY_POINTS = 300;

/**
 * Which rows to keep, as ascending indices, given each row's verdicts as one string (the step's
 * and every test's). Always kept: the first and last row and the first row of every distinct
 * signature — so the first rollback or hold of each test is never thinned away. Then other
 * verdict changes, then rows picked evenly in between, up to `max` (a verdict flapping every
 * second must not make the answer grow without limit).
 */
export function thinIndices(signatures: readonly string[], max: number = MAX_HISTORY_POINTS): number[] {
  const total = signatures.length;
  if (total <= max) return signatures.map((_, i) => i);
  const kept = new Set<number>([0, total - 1]);
  const seen = new Set<string>();
  const changes: number[] = [];
  signatures.forEach((signature, i) => {
    if (!seen.has(signature)) {
      seen.add(signature);
      kept.add(i);
    } else if (signature !== signatures[i - 1]) changes.push(i);
  });
  for (const i of evenly(changes, max - kept.size)) kept.add(i);
  const rest = signatures.map((_, i) => i).filter((i) => !kept.has(i));
  for (const i of evenly(rest, max - kept.size)) kept.add(i);
  return [...kept].sort((a, b) => a - b);
}

/** `count` items of `items` spread evenly from first to last (all of them when there are fewer). */
function evenly<T>(items: readonly T[], count: number): T[] {
  if (count <= 0) return [];
  if (items.length <= count) return [...items];
  if (count === 1) return items.slice(0, 1);
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]).filter((x): x is T => x !== undefined);
}

/** A statistical test's stored evaluation, as much of it as the chart reads (evaluation.ts SequentialEvaluation). */
export type StoredTestEvaluation = {
  trigger: string;
  level: "rollback" | "hold";
  verdict: Verdict;
  n: number;
  k: number;
  p0: number | null;
  observedRate: number | null;
  baselineFigure: number | null;
  logE: number | null;
  logThreshold: number | null;
  alpha: number | null;
  window: { since: number; n: number; k: number } | null;
  upperBound: number | null;
};

/** One test at one stored evaluation, as the difference chart plots it. */
export type EvidencePoint = {
  /** when it was evaluated, epoch ms */
  at: number;
  /** the test's verdict then */
  verdict: Verdict;
  /** canary requests (attempts) since the step began, and the bad ones among them */
  n: number;
  k: number;
  /** k / n since the step began; null before any data */
  observedRate: number | null;
  /** the bad share in the window since the likeliest change, and when that window began; null before data */
  windowRate: number | null;
  windowSince: number | null;
  /** anytime-valid bounds on the bad rate since the step began (upper at the promotion α, lower at the test's α) */
  upperBound: number | null;
  lowerBound: number | null;
  /** the baseline's figure, for context: its error rate, its quantile in ms, or its conversion rate */
  baselineFigure: number | null;
  /** the threshold: the test's null is "bad rate ≤ p0" */
  p0: number | null;
  /** the change detector's log E against log(1/α) */
  logE: number | null;
  logThreshold: number | null;
  alpha: number | null;
};

/** One test's points over a step, oldest first. */
export type EvidenceSeries = { trigger: string; level: "rollback" | "hold"; points: EvidencePoint[] };

/** A stored evaluation row, its statistical tests read. */
export type StoredEvaluationRow = { at: number; tests: readonly StoredTestEvaluation[] };

/**
 * One series per test, in the order the tests first appear. The lower bound is computed here on
 * the counts since the step began at the test's own α (stored rows carry only the upper, and only
 * for the tests that gate promotion; the others get theirs here at the same α).
 */
export function evidenceSeries(rows: readonly StoredEvaluationRow[]): EvidenceSeries[] {
  const byTrigger = new Map<string, EvidenceSeries>();
  for (const row of rows) {
    for (const t of row.tests) {
      let series = byTrigger.get(t.trigger);
      if (!series) {
        series = { trigger: t.trigger, level: t.level, points: [] };
        byTrigger.set(t.trigger, series);
      }
      series.points.push(pointOf(row.at, t));
    }
  }
  return [...byTrigger.values()];
}

function pointOf(at: number, t: StoredTestEvaluation): EvidencePoint {
  const counted = Number.isInteger(t.n) && Number.isInteger(t.k) && t.k >= 0 && t.k <= t.n;
  const hasWindow = t.window !== null && t.window.n > 0;
  const bounded = counted && t.n > 0 && t.alpha !== null && t.alpha > 0 && t.alpha < 1;
  return {
    at,
    verdict: t.verdict,
    n: t.n,
    k: t.k,
    observedRate: t.observedRate,
    windowRate: hasWindow && t.window ? t.window.k / t.window.n : null,
    windowSince: hasWindow && t.window ? t.window.since : null,
    // Only the tests that gate promotion store their upper bound: the others get it here.
    upperBound: t.upperBound ?? (bounded && t.alpha !== null ? upperBound(t.n, t.k, t.alpha) : null),
    lowerBound: bounded && t.alpha !== null ? lowerBound(t.n, t.k, t.alpha) : null,
    baselineFigure: t.baselineFigure,
    p0: t.p0,
    logE: t.logE,
    logThreshold: t.logThreshold,
    alpha: t.alpha,
  };
}
