/**
 * How one test's history reads on the difference chart (STATISTICS.md "Show the evidence", as
 * LaunchDarkly's guarded rollouts draw it): what the y axis plots, the band around it, the
 * threshold, and the moments a person looks for — when the test fired, when the band left the
 * safe side, since when it has been wholly inside it. Pure; the chart only draws this.
 */
import type { EvidencePoint } from "./evidence-history.ts";
import type { Verdict } from "./triggers.ts";

/**
 * What the y axis plots, all as fractions:
 * - `errorDifference`: canary error rate − baseline error rate (the threshold moves with the baseline);
 * - `slowShare`: the canary's share of requests slower than the latency rule; the baseline's share
 *   above the same threshold is small by construction, so it is context, not subtracted;
 * - `conversionDifference`: canary conversion − baseline conversion (a drop is negative).
 */
export type BandPlot = "errorDifference" | "slowShare" | "conversionDifference";

/** Which side of the threshold is safe: below for errors and slow requests, above for conversions. */
export type SafeSide = "below" | "above";

/** One point of the chart; values null where they cannot be drawn (no data, no baseline yet). */
export type BandRow = {
  at: number;
  /** the plotted figure since the step began */
  value: number | null;
  /** the anytime-valid band around it, low to high, in the plotted figure's terms */
  band: [number, number] | null;
  /** the threshold in the plotted figure's terms */
  threshold: number | null;
};

/** A moment on the chart: when, and what the test said then. */
export type BandMoment = { at: number; verdict: Verdict };

export type BandReading = {
  plot: BandPlot;
  safeSide: SafeSide;
  rows: BandRow[];
  /** the first evaluation at which this test said roll back (or hold, for a hold-level test) */
  fired: BandMoment | null;
  /** the first evaluation whose band lay wholly on the unsafe side of the threshold */
  leftSafeSide: number | null;
  /** the start of the latest unbroken run of evaluations (to the newest) whose band lay wholly on the safe side */
  safeSince: number | null;
};

export function plotOf(trigger: string): BandPlot {
  if (trigger.startsWith("latency")) return "slowShare";
  if (trigger === "business-metric") return "conversionDifference";
  return "errorDifference";
}

/** A usable threshold: a business test without a baseline floor stores p0 = 1 (nothing to test yet). */
function thresholdOf(p: EvidencePoint): number | null {
  return p.p0 !== null && p.p0 > 0 && p.p0 < 1 ? p.p0 : null;
}

/** A point in the plotted figure's terms; `bad` is a bad share (error, slow, not converted). */
function rowOf(plot: BandPlot, p: EvidencePoint): BandRow {
  const threshold = thresholdOf(p);
  const low = p.lowerBound;
  const high = p.upperBound;
  switch (plot) {
    case "slowShare":
      return { at: p.at, value: p.observedRate, band: low !== null && high !== null ? [low, high] : null, threshold };
    case "errorDifference": {
      const base = p.baselineFigure;
      if (base === null) return { at: p.at, value: null, band: null, threshold: null };
      return {
        at: p.at,
        value: p.observedRate === null ? null : p.observedRate - base,
        band: low !== null && high !== null ? [low - base, high - base] : null,
        threshold: threshold === null ? null : threshold - base,
      };
    }
    case "conversionDifference": {
      // bad = did not convert, so conversion = 1 − bad and the band flips.
      const base = p.baselineFigure;
      if (base === null) return { at: p.at, value: null, band: null, threshold: null };
      return {
        at: p.at,
        value: p.observedRate === null ? null : 1 - p.observedRate - base,
        band: low !== null && high !== null ? [1 - high - base, 1 - low - base] : null,
        threshold: threshold === null ? null : 1 - threshold - base,
      };
    }
    default: {
      const never: never = plot;
      throw new Error(`unknown plot ${String(never)}`);
    }
  }
}

/** Whether the band lies wholly on the safe side, wholly on the unsafe side, or straddles the threshold. */
function sideOf(p: EvidencePoint): "safe" | "unsafe" | "straddles" {
  const threshold = thresholdOf(p);
  if (threshold === null) return "straddles";
  // In bad-share terms for every test: the null is "bad rate ≤ p0".
  if (p.upperBound !== null && p.upperBound < threshold) return "safe";
  if (p.lowerBound !== null && p.lowerBound > threshold) return "unsafe";
  return "straddles";
}

/** Reads one test's history (points oldest first) for its panel. */
export function readBand(trigger: string, level: "rollback" | "hold", points: readonly EvidencePoint[]): BandReading {
  const plot = plotOf(trigger);
  const firedPoint = points.find((p) => p.verdict === level || p.verdict === "rollback");
  const unsafe = points.find((p) => sideOf(p) === "unsafe");
  let safeSince: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (!p || sideOf(p) !== "safe") break;
    safeSince = p.at;
  }
  return {
    plot,
    safeSide: plot === "conversionDifference" ? "above" : "below",
    rows: points.map((p) => rowOf(plot, p)),
    fired: firedPoint ? { at: firedPoint.at, verdict: firedPoint.verdict } : null,
    leftSafeSide: unsafe ? unsafe.at : null,
    safeSince,
  };
}

/**
 * The y range worth drawing: the line, the threshold and the band's edge nearest the threshold,
 * with room on the unsafe side. Early in a step the band spans nearly everything (a handful of
 * requests says little); scaling to it would flatten a 1% threshold onto the axis for the whole
 * step, so the far edge is clipped instead.
 */
export function focusDomain(reading: BandReading): [number, number] {
  const near = reading.safeSide === "below" ? 0 : 1;
  const values = reading.rows.flatMap((r) => [r.value, r.threshold, r.band ? r.band[near] : null]).filter((v): v is number => v !== null && Number.isFinite(v));
  if (reading.plot === "slowShare") values.push(0);
  if (values.length === 0) return [0, 0.01];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = Math.max(hi - lo, 0.001);
  return reading.safeSide === "below" ? [reading.plot === "slowShare" ? 0 : lo - span * 0.1, hi + span] : [lo - span, hi + span * 0.1];
}
