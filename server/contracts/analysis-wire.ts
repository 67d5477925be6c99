import { z } from "zod";

/**
 * The canary analysis as it travels to the browser (socket events and the metrics API): one
 * schema on both sides. JSON has no Infinity, so a figure that cannot be computed (a minimum
 * sample with no baseline floor yet) arrives as null; an unknown verdict is never read as a pass.
 */

const VERDICTS = ["pass", "insufficient", "hold", "rollback"] as const;
export type WireVerdict = (typeof VERDICTS)[number];
export const ZWireVerdict = z
  .unknown()
  .transform((v): WireVerdict => (VERDICTS as readonly unknown[]).includes(v) ? (v as WireVerdict) : "insufficient");

const figure = z.number().nullable().catch(null);
const base = {
  /** trigger id, e.g. "error-rate"; a string, so a trigger newer than the page still shows */
  trigger: z.string(),
  verdict: ZWireVerdict,
  n: z.number().catch(0),
  k: z.number().catch(0),
  message: z.string().catch(""),
};

export const ZWireSequential = z.object({
  ...base,
  method: z.literal("e-process"),
  level: z.enum(["rollback", "hold"]).catch("rollback"),
  p0: figure,
  observedRate: figure,
  baselineFigure: figure,
  logE: figure,
  logThreshold: figure,
  alpha: figure,
  minSamples: figure,
});
export const ZWireRule = z.object({ ...base, method: z.literal("rule"), limit: figure });
export const ZWireEvaluation = z.discriminatedUnion("method", [ZWireSequential, ZWireRule]);

export type WireSequential = z.infer<typeof ZWireSequential>;
export type WireRule = z.infer<typeof ZWireRule>;
export type WireEvaluation = z.infer<typeof ZWireEvaluation>;

/** A list of evaluations; one that does not parse is left out, the others still show. */
export const ZWireEvaluations = z.unknown().transform((items): WireEvaluation[] =>
  (Array.isArray(items) ? items : []).flatMap((item) => {
    const parsed = ZWireEvaluation.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  }),
);
