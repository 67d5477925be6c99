import { percent } from "@/server/core/analysis/format";
import type { BandPlot, BandReading } from "@/server/core/analysis/evidence-band";
import type { EvidencePointWire } from "@/server/contracts/analysis-history-api";
import { clockTime } from "./chart-frame";

/** The y axis in words: exactly what is plotted, and in which unit. */
export const AXIS_LABEL: Record<BandPlot, string> = {
  errorDifference: "Canary − baseline error rate (percentage points)",
  slowShare: "Canary requests slower than the rule (% of requests)",
  conversionDifference: "Canary − baseline conversion (percentage points)",
};

/** A plotted figure: a signed difference in percentage points, or a share in %. */
export function plotted(plot: BandPlot, value: number): string {
  if (plot === "slowShare") return percent(value);
  const pp = Number((value * 100).toPrecision(2));
  return `${pp > 0 ? "+" : ""}${pp} pp`;
}

/** The threshold as the procedure states it, in absolute terms ("the 1% threshold"). */
export function thresholdText(plot: BandPlot, p0: number | null): string {
  if (p0 === null) return "the threshold (not set yet)";
  if (plot === "slowShare") return `the ${percent(p0)} allowed slow share`;
  if (plot === "conversionDifference") return `the ${percent(1 - p0)} conversion floor`;
  return `the ${percent(p0)} threshold`;
}

/** What firing means for this test: "rolled back" or "held for a human". */
export function firedWord(verdict: string): string {
  return verdict === "rollback" ? "rolled back" : "held for a human";
}

/**
 * One sentence under a panel saying what the chart shows: when the test fired and where the
 * band was, or since when it has been wholly on the safe side, or that it still straddles.
 */
export function bandSummary(reading: BandReading, latest: EvidencePointWire | undefined): string {
  const threshold = thresholdText(reading.plot, latest?.p0 ?? null);
  const safeWord = reading.safeSide === "below" ? "below" : "above";
  const left = reading.leftSafeSide === null ? null : `Band left the safe side at ${clockTime(reading.leftSafeSide)}.`;
  if (reading.fired) {
    const fired = `${reading.fired.verdict === "rollback" ? "Rolled back" : "Held for a human"} at ${clockTime(reading.fired.at)}: the change detector's evidence reached 1/α.`;
    // The detector watches the window since the likeliest change; the band covers the whole step, so it can lag.
    const window = latest && latest.windowSince !== null && latest.windowRate !== null ? ` It saw ${percent(latest.windowRate)} since ${clockTime(latest.windowSince)}.` : "";
    return `${fired}${window} ${left ?? `The band since the step began has not left the safe side yet: healthy requests before the change still weigh on it.`}`;
  }
  if (reading.safeSince !== null) return `Band wholly ${safeWord} ${threshold} since ${clockTime(reading.safeSince)}: healthy.`;
  if (left) return `${left} No alarm yet from the change detector.`;
  if (!latest || latest.n === 0) return "No canary data in this step yet.";
  return `Band still straddles ${threshold}: not enough evidence either way yet.`;
}
