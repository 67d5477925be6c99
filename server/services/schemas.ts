import { z } from "zod";
import { GATE_BLOCKING_SEVERITIES } from "../core/policy.ts";
import { COMPLIANCES, ENVIRONMENTS, RISKS, ROLES, STRATEGIES } from "../core/types.ts";

/** A version label as release teams write them: 1.4.2, v2.0.0-rc.1, 2026.11.28-3. */
export const ZVersion = z
  .string()
  .trim()
  .min(1, "Enter the version to release")
  .max(64, "At most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "Letters, digits, dots, dashes, plus and underscores only");

/** What a run releases (issue 15): a new version behind the router, or a feature flag's new variant. */
export const RUN_KINDS = ["version", "flag"] as const;

/** A flag run's flag: its key in the run's environment and the variant to roll out. */
export const ZRunFlagInput = z.object({
  key: z.string().trim().min(1, "Choose the flag to roll out").max(128, "At most 128 characters"),
  variant: z.string().trim().min(1, "Choose the variant to roll out").max(64, "At most 64 characters"),
});

/** The fields of a new run; ZCreateRunInput adds which of them each kind of run needs. */
export const ZCreateRunFields = z.object({
  serviceId: z.string().uuid("Choose a service"),
  environment: z.enum(ENVIRONMENTS, { message: "Choose staging or production" }),
  /** "version" (default): targetVersion is released; "flag": flag.variant of flag.key is rolled out to users */
  kind: z.enum(RUN_KINDS, { message: "Choose a version or a flag" }).default("version"),
  /** the version to release; required for a version run, ignored for a flag run */
  targetVersion: ZVersion.optional(),
  /** the flag and variant to roll out; required for a flag run */
  flag: ZRunFlagInput.optional(),
  strategy: z.enum(STRATEGIES, { message: "Choose a strategy" }),
  risk: z.enum(RISKS, { message: "Choose a risk level" }),
  compliance: z.enum(COMPLIANCES, { message: "Choose a compliance framework" }),
  /** the commit being released (lower-case hex) and when it was made; the API sets them, the form does not */
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  commitAt: z.date().optional(),
  /** release notes (Markdown) and links given when the run was created; empty by default */
  releaseNotes: z.string().max(20_000).optional(),
  links: z.array(z.object({ label: z.string().max(80), url: z.string().max(2000) })).max(20).optional(),
  /** an admin's reason to release during a change freeze (services/change-freezes.ts checks it) */
  freezeOverrideReason: z.string().max(200, "At most 200 characters").optional(),
});

export const ZCreateRunInput = ZCreateRunFields.superRefine((input, ctx) => {
  if (input.kind === "version" && input.targetVersion === undefined) ctx.addIssue({ code: "custom", path: ["targetVersion"], message: "Enter the version to release" });
  if (input.kind === "flag" && input.flag === undefined) ctx.addIssue({ code: "custom", path: ["flag", "key"], message: "Choose the flag to roll out" });
});
/** As callers write it: `kind` may be left out (a version run). */
export type TCreateRunInput = z.input<typeof ZCreateRunInput>;

// A run command's input is declared with the command, in the core's command table.
export { ZRunCommandInput, ZRunId, type TRunCommandInput } from "../core/commands.ts";

export const ZRunFilters = z.object({
  service: z.string().max(100).optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  status: z.enum(["active", "running", "paused", "rolling_back", "succeeded", "rolled_back", "failed", "aborted"]).optional(),
});
export type TRunFilters = z.infer<typeof ZRunFilters>;

/** GET /api/runs/:id/analysis: which step's evaluations (0-based, as stored); absent = the latest evaluated step. */
export const ZAnalysisHistoryQuery = z.object({
  step: z.coerce
    .number({ error: "step must be a step number: 0 for the first step, 1 for the second, …" })
    .int("step must be a whole number")
    .min(0, "step must be 0 or more")
    .max(999, "step must be at most 999")
    .optional(),
});
export type TAnalysisHistoryQuery = z.infer<typeof ZAnalysisHistoryQuery>;

export const ZServiceInput = z.object({
  slug: z.string().trim().min(2, "At least 2 characters").max(40).regex(/^[a-z0-9][a-z0-9-]*$/, "Lowercase letters, digits and dashes"),
  name: z.string().trim().min(2, "At least 2 characters").max(80),
  description: z.string().trim().max(500).default(""),
  currentVersion: ZVersion,
  runbook: z.string().max(20_000).default(""),
});
export type TServiceInput = z.infer<typeof ZServiceInput>;

export const ZEnvironmentInput = z.object({
  serviceId: z.string().uuid(),
  name: z.enum(ENVIRONMENTS),
  holdScale: z.coerce.number().positive("Must be above 0").max(10, "At most 10"),
});
export type TEnvironmentInput = z.infer<typeof ZEnvironmentInput>;

/** Settings → gate policy: which findings block; "default" = the procedure's (critical; high under PCI DSS or HIPAA). */
export const ZGatePolicyInput = z.object({
  serviceId: z.string().uuid(),
  name: z.enum(ENVIRONMENTS),
  blockingSeverity: z.enum(["default", ...GATE_BLOCKING_SEVERITIES], { error: "Choose critical, high, medium or the procedure's default" }),
});
export type TGatePolicyInput = z.infer<typeof ZGatePolicyInput>;

export const ZCreateUserInput = z.object({
  name: z.string().trim().min(2, "At least 2 characters").max(80),
  email: z.email("Enter a valid e-mail").max(200),
  role: z.enum(ROLES),
  password: z.string().min(12, "At least 12 characters").max(200),
});
export type TCreateUserInput = z.infer<typeof ZCreateUserInput>;

export const ZSignInInput = z.object({
  email: z.email("Enter a valid e-mail"),
  password: z.string().min(1, "Enter your password").max(200),
});
export type TSignInInput = z.infer<typeof ZSignInInput>;

/** Field errors for a form, from a failed parse. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
