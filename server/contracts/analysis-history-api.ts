import * as z from "zod/mini";
import { ZWireVerdict } from "./analysis-wire.ts";

/**
 * GET /api/runs/:id/analysis?step=N: one step's stored evaluations, thinned to at most ~300, as
 * one series per statistical test for the difference chart (server/core/analysis/
 * evidence-history.ts builds them; components/analysis/evidence-history.tsx reads them). Rates
 * are fractions; times epoch ms.
 */

const figure = z.nullable(z.number());

export const ZEvidencePoint = z.object({
  at: z.number(),
  verdict: ZWireVerdict,
  /** canary requests (attempts) since the step began, and the bad ones among them */
  n: z.number(),
  k: z.number(),
  observedRate: figure,
  /** the bad share in the window since the likeliest change, and when that window began */
  windowRate: figure,
  windowSince: figure,
  /** anytime-valid bounds on the bad rate since the step began */
  upperBound: figure,
  lowerBound: figure,
  baselineFigure: figure,
  p0: figure,
  logE: figure,
  logThreshold: figure,
  alpha: figure,
});
export type EvidencePointWire = z.infer<typeof ZEvidencePoint>;

export const ZEvidenceSeries = z.object({
  /** the test, e.g. "error-rate-hold"; a string, so a test newer than the page still shows */
  trigger: z.string(),
  level: z.enum(["rollback", "hold"]),
  points: z.array(ZEvidencePoint),
});
export type EvidenceSeriesWire = z.infer<typeof ZEvidenceSeries>;

export const ZAnalysisHistory = z.object({
  /** the step shown; null when no step has been evaluated yet */
  stepIndex: z.nullable(z.int()),
  /** the steps with stored evaluations, ascending (a picker offers these) */
  steps: z.array(z.int()),
  /** when the step's analysis began, epoch ms; null when not stored */
  stepStartedAt: figure,
  /** evaluations stored for the step, before thinning */
  stored: z.int(),
  series: z.array(ZEvidenceSeries),
});
export type AnalysisHistory = z.infer<typeof ZAnalysisHistory>;
