import * as z from "zod/mini";

/**
 * The canary analysis as it travels to the browser (socket events and the metrics API): one
 * schema on both sides (zod/mini: it ships to the browser). JSON has no Infinity, so a figure that cannot be computed (a minimum
 * sample with no baseline floor yet) arrives as null; an unknown verdict is never read as a pass.
 */

const VERDICTS = ["pass", "insufficient", "hold", "rollback", "error"] as const;
export type WireVerdict = (typeof VERDICTS)[number];
export const ZWireVerdict = z.pipe(
  z.unknown(),
  z.transform((v): WireVerdict => ((VERDICTS as readonly unknown[]).includes(v) ? (v as WireVerdict) : "insufficient")),
);

const figure = z.catch(z.nullable(z.number()), null);
const base = {
  /** trigger id, e.g. "error-rate"; a string, so a trigger newer than the page still shows */
  trigger: z.string(),
  verdict: ZWireVerdict,
  n: z.catch(z.number(), 0),
  k: z.catch(z.number(), 0),
  message: z.catch(z.string(), ""),
};

export const ZWireSequential = z.object({
  ...base,
  method: z.literal("e-process"),
  level: z.catch(z.enum(["rollback", "hold"]), "rollback"),
  p0: figure,
  observedRate: figure,
  baselineFigure: figure,
  logE: figure,
  logThreshold: figure,
  alpha: figure,
  minSamples: figure,
  /** the window carrying the detector's evidence: since when, and its counts */
  window: z.catch(z.nullable(z.object({ since: z.number(), n: z.number(), k: z.number() })), null),
  upperBound: z.catch(z.nullable(z.number()), null),
  requestsToPromote: figure,
});
export const ZWireRule = z.object({ ...base, method: z.literal("rule"), limit: figure });
export const ZWireEvaluation = z.discriminatedUnion("method", [ZWireSequential, ZWireRule]);

export type WireSequential = z.infer<typeof ZWireSequential>;
export type WireRule = z.infer<typeof ZWireRule>;
export type WireEvaluation = z.infer<typeof ZWireEvaluation>;

/** A list of evaluations; one that does not parse is left out, the others still show. */
export const ZWireEvaluations = z.pipe(
  z.unknown(),
  z.transform((items): WireEvaluation[] =>
    (Array.isArray(items) ? items : []).flatMap((item) => {
      const parsed = ZWireEvaluation.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    }),
  ),
);
