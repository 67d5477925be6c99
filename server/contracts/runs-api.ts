import * as z from "zod/mini";
import { CRITERIA } from "../core/success-criteria.ts";
import { AGENT_NAMES } from "../core/types.ts";
import { ZRunState } from "../db/run-state-schema.ts";
import { ZWireEvaluations, ZWireVerdict } from "./analysis-wire.ts";

/**
 * The runs API's responses, one schema for the route that sends them and the page that reads
 * them (components/query/fetch-json.ts parses every answer with its schema, so a component never
 * sees an unchecked shape): GET /api/runs, /api/runs/:id, /api/runs/:id/metrics and /api/audit.
 */


/** One line per run for the runs list. */
export const ZRunListItem = z.object({
  id: z.string(),
  number: z.int(),
  service: z.string(),
  serviceName: z.string(),
  environment: z.string(),
  baselineVersion: z.string(),
  targetVersion: z.string(),
  /** a flag run's flag (issue 15), shown instead of the versions; null for a version run */
  flag: z.optional(z.nullable(z.object({ key: z.string(), variant: z.string(), baselineVariant: z.string(), serviceVersion: z.optional(z.string()) }))),
  strategy: z.string(),
  risk: z.string(),
  status: z.string(),
  phase: z.string(),
  waitingFor: z.nullable(z.string()),
  canaryPercent: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.nullable(z.string()),
});
export type RunListItem = z.infer<typeof ZRunListItem>;
export const ZRunList = z.array(ZRunListItem);

const ZEvidenceRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agent"), agent: z.enum(AGENT_NAMES) }),
  z.object({ kind: z.literal("analysis") }),
  z.object({ kind: z.literal("rollback") }),
  z.object({ kind: z.literal("record") }),
  z.object({ kind: z.literal("audit") }),
]);
const ZCriterion = z.object({ id: z.enum(CRITERIA), label: z.string(), status: z.enum(["met", "failed", "missing", "pending"]), detail: z.string(), evidence: z.array(ZEvidenceRef) });

/** One of the service's emergency contacts; `reach` is null for roles that cannot act on a run (viewers). */
export const ZEmergencyContactView = z.object({ name: z.string(), role: z.string(), reach: z.nullable(z.string()) });
export type EmergencyContactView = z.infer<typeof ZEmergencyContactView>;

/** Everything the run page shows of one run. */
export const ZRunView = z.object({
  id: z.string(),
  number: z.int(),
  seq: z.int(),
  service: z.object({ slug: z.string(), name: z.string() }),
  environment: z.string(),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  state: ZRunState,
  /** server time when this view was read, for countdowns */
  serverNow: z.number(),
  tasks: z.array(
    z.object({
      id: z.string(),
      phase: z.string(),
      agent: z.string(),
      status: z.string(),
      progress: z.number(),
      summary: z.nullable(z.string()),
      logs: z.array(z.object({ id: z.string(), at: z.string(), line: z.string() })),
      findings: z.array(z.object({ id: z.string(), severity: z.string(), check: z.nullable(z.string()), message: z.string(), evidence: z.string(), link: z.nullable(z.string()) })),
    }),
  ),
  /** the procedure's success criteria, each with its evidence */
  criteria: z.array(ZCriterion),
  decisions: z.array(
    z.object({ id: z.string(), at: z.string(), stepIndex: z.nullable(z.number()), trigger: z.string(), verdict: z.string(), reason: z.string(), evidence: z.record(z.string(), z.unknown()) }),
  ),
  audit: z.array(z.object({ id: z.string(), at: z.string(), actorName: z.string(), actorRole: z.string(), action: z.string(), summary: z.string() })),
  rollback: z.nullable(z.object({ reason: z.string(), requestedBy: z.string(), status: z.string(), startedAt: z.string(), finishedAt: z.nullable(z.string()) })),
  records: z.array(z.object({ version: z.int(), createdAt: z.string() })),
  /** the service's emergency contacts in calling order, as the reader's role may see them; absent where no person reads it */
  emergencyContacts: z.optional(z.array(ZEmergencyContactView)),
});
export type RunView = z.infer<typeof ZRunView>;

/** A run's stored traffic windows and its latest analysis, for the charts and the evidence panel. */
export const ZRunMetrics = z.object({
  windows: z.array(
    z.object({
      at: z.string(),
      side: z.string(),
      requests: z.number(),
      errors: z.number(),
      p50: z.nullable(z.number()),
      p95: z.nullable(z.number()),
      p99: z.nullable(z.number()),
      cpuPercent: z.nullable(z.number()),
      memoryPercent: z.nullable(z.number()),
    }),
  ),
  latestAnalysis: z.nullable(
    z.object({ at: z.string(), stepIndex: z.int(), verdict: ZWireVerdict, summary: z.string(), requestsNeeded: z.number(), evaluations: ZWireEvaluations }),
  ),
});
export type RunMetrics = z.input<typeof ZRunMetrics>;

/** One line of the audit trail. */
export const ZAuditRow = z.object({ id: z.string(), at: z.string(), actorName: z.string(), actorRole: z.string(), action: z.string(), runId: z.nullable(z.string()), summary: z.string() });
export const ZAuditList = z.array(ZAuditRow);
