import { describe, expect, it } from "vitest";
import { focusDomain, readBand } from "./evidence-band.ts";
import type { EvidencePoint } from "./evidence-history.ts";

function point(at: number, fields: Partial<EvidencePoint>): EvidencePoint {
  return {
    at,
    verdict: "insufficient",
    n: 100,
    k: 1,
    observedRate: 0.01,
    windowRate: null,
    windowSince: null,
    upperBound: 0.05,
    lowerBound: 0.0001,
    baselineFigure: 0.002,
    p0: 0.01,
    logE: 0,
    logThreshold: 6,
    alpha: 0.002,
    ...fields,
  };
}

describe("reading a test's band", () => {
  it("plots canary − baseline error rate, its band and the threshold the same way, and marks when it rolled back and when the band left the safe side", () => {
    const reading = readBand("error-rate", "rollback", [
      point(1_000, {}),
      point(2_000, { verdict: "rollback", observedRate: 0.05, lowerBound: 0.008, upperBound: 0.2 }),
      point(3_000, { verdict: "rollback", observedRate: 0.2, lowerBound: 0.06, upperBound: 0.4 }),
    ]);
    expect(reading.safeSide).toBe("below");
    expect(reading.rows[1]?.value).toBeCloseTo(0.048, 12);
    expect(reading.rows[1]?.threshold).toBeCloseTo(0.008, 12);
    expect(reading.rows[2]?.band?.[0]).toBeCloseTo(0.058, 12);
    // The detector fired before the band since the step began had left the safe side.
    expect(reading.fired).toEqual({ at: 2_000, verdict: "rollback" });
    expect(reading.leftSafeSide).toBe(3_000);
    expect(reading.safeSince).toBeNull();
  });

  it("says since when the band has been wholly below the threshold, counting only the unbroken run to now", () => {
    const reading = readBand("error-rate", "rollback", [
      point(1_000, { upperBound: 0.009 }),
      point(2_000, { upperBound: 0.02 }),
      point(3_000, { upperBound: 0.009 }),
      point(4_000, { upperBound: 0.006 }),
    ]);
    expect(reading.safeSince).toBe(3_000);
    expect(reading.fired).toBeNull();
    expect(reading.leftSafeSide).toBeNull();
  });

  it("plots latency as the canary's slow share against the allowed share, not a difference", () => {
    const reading = readBand("latency-p95", "rollback", [point(1_000, { observedRate: 0.03, p0: 0.05, baselineFigure: 180, lowerBound: 0.01, upperBound: 0.09 })]);
    expect(reading.plot).toBe("slowShare");
    expect(reading.rows[0]).toEqual({ at: 1_000, value: 0.03, band: [0.01, 0.09], threshold: 0.05 });
  });

  it("plots a business metric as the drop in conversion, safe above the floor, and a hold test fires on hold", () => {
    const business = readBand("business-metric", "rollback", [point(1_000, { observedRate: 0.7, p0: 0.75, baselineFigure: 0.3, lowerBound: 0.6, upperBound: 0.8 })]);
    expect(business.safeSide).toBe("above");
    expect(business.rows[0]?.value).toBeCloseTo(0, 12);
    expect(business.rows[0]?.band?.[0]).toBeCloseTo(-0.1, 12);
    expect(business.rows[0]?.band?.[1]).toBeCloseTo(0.1, 12);
    expect(business.rows[0]?.threshold).toBeCloseTo(-0.05, 12);
    const hold = readBand("error-rate-hold", "hold", [point(1_000, {}), point(2_000, { verdict: "hold" })]);
    expect(hold.fired).toEqual({ at: 2_000, verdict: "hold" });
  });

  it("draws nothing it cannot: no baseline yet, or a business test without a floor", () => {
    expect(readBand("error-rate", "rollback", [point(1_000, { baselineFigure: null })]).rows[0]).toEqual({ at: 1_000, value: null, band: null, threshold: null });
    expect(readBand("business-metric", "rollback", [point(1_000, { p0: 1, baselineFigure: 0.3 })]).rows[0]?.threshold).toBeNull();
  });

  it("keeps a 1% threshold readable when the first few requests leave the band nearly 0–100%", () => {
    const reading = readBand("latency-p95", "rollback", [
      point(1_000, { n: 5, k: 0, observedRate: 0, p0: 0.05, lowerBound: 0, upperBound: 0.95 }),
      point(2_000, { n: 2_000, k: 20, observedRate: 0.01, p0: 0.05, lowerBound: 0.004, upperBound: 0.03 }),
    ]);
    const [low, high] = focusDomain(reading);
    expect(low).toBe(0);
    expect(high).toBeGreaterThan(0.05);
    expect(high).toBeLessThan(0.2);
  });
});

