import { z } from "zod";
import { CONFIDENCE_LEVELS, POLICY_BOUNDS, type AnalysisPolicy, type ConfidenceLevel } from "../core/analysis/analysis-policy.ts";

// Settings → Analysis policy and the run page's what-if form, as the browser sends them (percent
// and factors as typed; an empty hold field turns that hold off), and the policy as stored in
// `environment.analysisPolicy` (fractions).

const blankToNull = (v: unknown) => (v === "" || v === undefined || v === null ? null : v);

const number = (label: string, bounds: { min: number; max: number }, unit = "") =>
  z.coerce
    .number({ error: `Enter a number for ${label}` })
    .refine(Number.isFinite, `Enter a number for ${label}`)
    .refine((v) => v >= bounds.min && v <= bounds.max, `${label} must be between ${bounds.min}${unit} and ${bounds.max}${unit}`);

const ZConfidence = z.coerce
  .number({ error: "Choose 95%, 99% or 99.9%" })
  .refine((v): v is ConfidenceLevel => (CONFIDENCE_LEVELS as readonly number[]).includes(v), "Choose 95%, 99% or 99.9%")
  .transform((v) => v as ConfidenceLevel);

const ZErrorRollbackPct = number("The error threshold", POLICY_BOUNDS.errorRollbackPct, "%");
const ZP95Factor = number("The p95 factor", POLICY_BOUNDS.latencyFactor, "×");

/** The policy form's fields. */
export const ZAnalysisPolicyFields = z
  .object({
    confidence: ZConfidence,
    errorRollbackPct: ZErrorRollbackPct,
    errorHoldPct: z.preprocess(blankToNull, z.nullable(number("The error hold level", POLICY_BOUNDS.errorHoldPct, "%"))),
    p95Factor: ZP95Factor,
    p95HoldFactor: z.preprocess(blankToNull, z.nullable(number("The p95 hold factor", POLICY_BOUNDS.holdFactor, "×"))),
    p95HoldSharePct: z.preprocess(blankToNull, z.nullable(number("The p95 hold share", POLICY_BOUNDS.holdSharePct, "%"))),
    p99Factor: number("The p99 factor", POLICY_BOUNDS.latencyFactor, "×"),
  })
  .superRefine((v, ctx) => {
    if (v.errorHoldPct !== null && v.errorHoldPct >= v.errorRollbackPct) {
      ctx.addIssue({ code: "custom", path: ["errorHoldPct"], message: "The hold level must be below the error threshold (or empty for no hold)" });
    }
    if ((v.p95HoldFactor === null) !== (v.p95HoldSharePct === null)) {
      ctx.addIssue({ code: "custom", path: [v.p95HoldFactor === null ? "p95HoldFactor" : "p95HoldSharePct"], message: "Give both the p95 hold factor and share, or leave both empty for no hold" });
    }
    if (v.p95HoldFactor !== null && v.p95HoldFactor >= v.p95Factor) {
      ctx.addIssue({ code: "custom", path: ["p95HoldFactor"], message: "The p95 hold factor must be below the p95 rollback factor" });
    }
    // At 1 × the baseline's p95, 5% of a healthy canary's requests are slower by definition.
    if (v.p95HoldFactor !== null && v.p95HoldSharePct !== null && v.p95HoldFactor <= 1 && v.p95HoldSharePct <= 5) {
      ctx.addIssue({ code: "custom", path: ["p95HoldSharePct"], message: "At 1× the baseline p95 the share must be above 5% (5% of healthy requests are slower)" });
    }
  })
  .transform(
    (v): AnalysisPolicy => ({
      confidence: v.confidence,
      errorRollbackAbove: v.errorRollbackPct / 100,
      errorHoldAbove: v.errorHoldPct === null ? null : v.errorHoldPct / 100,
      p95Factor: v.p95Factor,
      p95Hold: v.p95HoldFactor !== null && v.p95HoldSharePct !== null ? { factor: v.p95HoldFactor, share: v.p95HoldSharePct / 100 } : null,
      p99Factor: v.p99Factor,
    }),
  );

/** Settings → Analysis policy: save, or preview on the environment's last runs. */
export const ZAnalysisPolicyInput = z.object({ environmentId: z.string().uuid("Choose an environment"), policy: ZAnalysisPolicyFields });
export type TAnalysisPolicyInput = z.infer<typeof ZAnalysisPolicyInput>;

/** The run page's what-if form: the run's own config with these three numbers replaced. */
export const ZReplayRunInput = z.object({
  runId: z.string().uuid("Unknown run"),
  confidence: ZConfidence,
  errorRollbackPct: ZErrorRollbackPct,
  p95Factor: ZP95Factor,
});
export type TReplayRunInput = z.infer<typeof ZReplayRunInput>;

/** The stored policy (fractions), checked again when read. */
const ZStoredAnalysisPolicy = z.object({
  confidence: z.union(CONFIDENCE_LEVELS.map((c) => z.literal(c)) as [z.ZodLiteral<0.95>, z.ZodLiteral<0.99>, z.ZodLiteral<0.999>]),
  errorRollbackAbove: z.number().positive().max(1),
  errorHoldAbove: z.number().positive().max(1).nullable(),
  p95Factor: z.number().min(1),
  p95Hold: z.object({ factor: z.number().min(1), share: z.number().positive().max(1) }).nullable(),
  p99Factor: z.number().min(1),
});

/** The stored setting, read defensively: anything that does not parse is the procedure's default (null). */
export function parseAnalysisPolicy(json: unknown): AnalysisPolicy | null {
  const parsed = ZStoredAnalysisPolicy.safeParse(json);
  return parsed.success ? parsed.data : null;
}
