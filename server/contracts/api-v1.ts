import { z } from "zod";
import { COMMANDS } from "../core/commands.ts";
import { COMPLIANCES, ENVIRONMENTS, PHASES, RISKS, RUN_STATUSES, STRATEGIES, WAITING_FOR } from "../core/types.ts";
import { ZVersion } from "../services/schemas.ts";
import { STORABLE, UNSTORABLE_MESSAGE } from "../core/storable-text.ts";

/**
 * The HTTP API v1's requests and responses, one schema each: the routes validate with them and
 * server/contracts/openapi.ts turns the same schemas into the OpenAPI document (zod 4's JSON
 * Schema output), so the document cannot drift from what the routes accept.
 */


/** A link on a run (CI job, pull request, change ticket): http(s) only, so a link never runs script. */
export const ZApiRunLink = z.strictObject({
  label: z.string().trim().min(1, "Give the link a label").max(80, "At most 80 characters").regex(STORABLE, UNSTORABLE_MESSAGE),
  url: z
    .string()
    .max(2000, "At most 2,000 characters")
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "An http:// or https:// URL")
    .meta({ format: "uri" }),
});

/** POST /api/v1/runs: what a pipeline knows when it asks for a release. Unknown fields are refused. */
export const ZApiCreateRunBody = z
  .strictObject({
    service: z.string().trim().min(1, "Name the service (its slug)").max(40, "At most 40 characters").describe("the service's slug, e.g. storefront"),
    environment: z.enum(ENVIRONMENTS, { message: "staging or production" }),
    kind: z.enum(["version", "flag"], { message: "version or flag" }).default("version").describe("what the run releases: a new version (default) or a feature flag's new variant to a growing share of users"),
    version: ZVersion.optional().describe("the version to release (required for a version run); the service's current version is the baseline"),
    flag: z
      .strictObject({
        key: z.string().trim().min(1, "Name the flag (its key)").max(128, "At most 128 characters").describe("the flag's key in the environment, e.g. new-checkout"),
        variant: z.string().trim().min(1, "Name the variant to roll out").max(64, "At most 64 characters").describe("the variant rolled out; the flag's current default is the baseline"),
      })
      .optional()
      .describe("required for a flag run: the flag and the variant its steps roll out (5% → 50% → 100% of users for a canary)"),
    strategy: z.enum(STRATEGIES, { message: "canary, blue-green, rolling or immediate" }).default("canary"),
    // Low unless the pipeline says otherwise: staging then needs no approver, production still
    // needs one (the policy asks it at every risk); a risky change is declared, not assumed.
    risk: z.enum(RISKS, { message: "low, medium, high or critical" }).default("low").describe("default low: no approver in staging, one in production; medium and high need one in staging too, critical two"),
    compliance: z.enum(COMPLIANCES, { message: "none, sox, gdpr, hipaa or pci" }).default("none"),
    commitSha: z
      .string()
      .regex(/^[0-9a-fA-F]{7,40}$/, "7 to 40 hexadecimal characters")
      .transform((s) => s.toLowerCase())
      .optional()
      .describe("the commit being released"),
    commitTime: z.iso.datetime({ offset: true, message: "An ISO 8601 date and time, e.g. 2026-12-04T15:04:05Z" }).optional().describe("when the commit was made"),
    releaseNotes: z.string().max(20_000, "At most 20,000 characters").regex(STORABLE, UNSTORABLE_MESSAGE).default("").describe("Markdown"),
    links: z.array(ZApiRunLink).max(20, "At most 20 links").default([]),
    freezeOverrideReason: z
      .string()
      .trim()
      .min(10, "Say why this release cannot wait (at least 10 characters)")
      .max(200, "At most 200 characters")
      .regex(STORABLE, UNSTORABLE_MESSAGE)
      .optional()
      .describe("release during a change freeze of the environment: admins only (a token with the admin role); refused with 409 without it"),
  })
  .superRefine((body, ctx) => {
    if (body.kind === "version" && body.version === undefined) ctx.addIssue({ code: "custom", path: ["version"], message: "Give the version to release (or kind flag with a flag)" });
    if (body.kind === "flag" && body.flag === undefined) ctx.addIssue({ code: "custom", path: ["flag"], message: "Give the flag and variant to roll out ({ key, variant })" });
    if (body.kind === "flag" && body.version !== undefined) ctx.addIssue({ code: "custom", path: ["version"], message: "A flag run releases a flag's variant, not a version: leave version out" });
    if (body.kind === "version" && body.flag !== undefined) ctx.addIssue({ code: "custom", path: ["kind"], message: 'A flag is rolled out by a flag run: send kind "flag"' });
  });
export type TApiCreateRunBody = z.infer<typeof ZApiCreateRunBody>;

/** The gate a run is waiting at, with what is still missing. */
export const ZApiGate = z
  .object({
    kind: z.enum(["approval", "verification"]),
    status: z.enum(["waiting", "open", "approved", "rejected"]),
    requiredApprovals: z.int(),
    /** approvals still needed before the gate passes */
    approvalsMissing: z.int(),
    approvals: z.array(z.object({ name: z.string(), at: z.string() })),
    /** reasons the gate cannot pass yet; waivable ones a release manager may waive with a reason */
    blockers: z.array(z.object({ id: z.string(), message: z.string(), waivable: z.boolean() })),
    rejected: z.nullable(z.object({ by: z.string(), reason: z.string() })),
  })
  ;

/** A run as the API and the CLI show it. */
export const ZApiRun = z
  .object({
    id: z.string().describe("UUID"),
    number: z.int().describe("the run's number, #42"),
    url: z.string().describe("the run's page in the dashboard"),
    service: z.string(),
    environment: z.enum(ENVIRONMENTS),
    kind: z.enum(["version", "flag"]).describe("version: a new version behind the router; flag: a feature flag's new variant"),
    version: z.string().describe("the version being released; for a flag run a label, e.g. new-checkout → on"),
    baselineVersion: z.string().describe("for a flag run a label, e.g. new-checkout → off"),
    flag: z
      .nullable(z.object({ key: z.string(), variant: z.string().describe("the variant rolled out"), baselineVariant: z.string().describe("the flag's default when the run started; a rollback returns everyone to it") }))
      .describe("a flag run's flag; null for a version run"),
    strategy: z.enum(STRATEGIES),
    risk: z.enum(RISKS),
    compliance: z.enum(COMPLIANCES),
    status: z.enum(RUN_STATUSES),
    phase: z.enum(PHASES),
    waitingFor: z.nullable(z.enum(WAITING_FOR)).describe("what the run waits for, if anything"),
    canaryPercent: z.number().describe("share of traffic on the new version (a flag run: share of users getting the new variant)"),
    currentStep: z.nullable(z.object({ index: z.int().describe("0-based"), weight: z.number().describe("the step's traffic percent"), steps: z.int().describe("how many steps"), label: z.string() })),
    gate: z.nullable(ZApiGate),
    outcomeReason: z.nullable(z.string()),
    createdAt: z.string(),
    finishedAt: z.nullable(z.string()),
    createdBy: z.string().describe("the person's or API token's name"),
    commitSha: z.nullable(z.string()),
    commitAt: z.nullable(z.string()),
    releaseNotes: z.string(),
    links: z.array(z.object({ label: z.string(), url: z.string() })),
    seq: z.int().describe("the run's latest event sequence number (the events stream's ids)"),
  })
  ;
export type ApiRun = z.infer<typeof ZApiRun>;

export const ZApiRunList = z.object({ runs: z.array(ZApiRun) });

/** GET /api/v1/runs query. */
export const ZApiRunListQuery = z.strictObject({
  service: z.string().max(40).optional().describe("a service slug"),
  environment: z.enum(ENVIRONMENTS).optional(),
  status: z.enum(["active", ...RUN_STATUSES]).optional().describe("active = running, paused or rolling back"),
  limit: z.coerce.number().int("A whole number").min(1, "At least 1").max(100, "At most 100").default(20),
});

/** A run reference in a URL: its id (UUID) or its number. */
export const ZApiRunRef = z.union([z.uuid(), z.string().regex(/^[1-9][0-9]{0,9}$/)]).describe("the run's id (UUID) or number (42)");

const cmd = <K extends keyof typeof COMMANDS>(kind: K) => COMMANDS[kind].input.extend({ kind: z.literal(kind) }).strict();

/** POST /api/v1/runs/{ref}/commands: one of the core's commands (server/core/commands.ts). */
export const ZApiCommandBody = z
  .discriminatedUnion("kind", [cmd("approve"), cmd("reject"), cmd("waive"), cmd("confirmWeight"), cmd("pause"), cmd("resume"), cmd("promote"), cmd("rollback"), cmd("abort")])
  ;

export const ZApiCommandResult = z.object({ ok: z.literal(true), note: z.nullable(z.string()).describe("what the engine did, when it says") });

/** RFC 9457 problem details: every error of the API, with field errors where a field is at fault. */
export const ZProblem = z
  .object({
    type: z.string().describe("a URI reference naming the problem; resolves to its description"),
    title: z.string(),
    status: z.int(),
    detail: z.string().describe("what went wrong, safe to show"),
    code: z.string().describe("Flightdeck's error code, e.g. NOT_FOUND"),
    errors: z.record(z.string(), z.array(z.string())).optional().describe("messages per field (a dotted path)"),
    instance: z.string().optional().describe("the request's path"),
  })
  ;
export type Problem = z.infer<typeof ZProblem>;

/** The SSE events of GET /api/v1/runs/{ref}/events, documented one by one. */
export const API_RUN_EVENTS = {
  "run.changed": "The run changed (status, phase, step, gate); data: the Run. Also the first event after a resume when anything happened since.",
  "run.log": "A line from a check agent; data: { taskId, agent, phase, line, at }.",
  "run.progress": "A check agent's progress; data: { taskId, agent, phase, progress }.",
  "run.notification": "A notification to the team; data: { severity, message, at }.",
  "run.analysis": "The canary analysis evaluated the current step; data: { stepIndex, at, verdict, summary, evaluations }.",
  "run.finished": "The run ended; data: the Run (status succeeded, rolled_back, failed or aborted). The stream closes after it.",
} as const;
export type ApiRunEventType = keyof typeof API_RUN_EVENTS;
