import { z } from "zod";
import type { AnalysisConfig } from "../core/analysis/triggers.ts";
import {
  AGENT_STATUSES,
  AGENTS_BY_PHASE,
  COMPLIANCES,
  ENVIRONMENTS,
  PHASES,
  RISKS,
  ROLLBACK_STEPS,
  ROUTERS,
  RUN_STATUSES,
  SEVERITIES,
  STRATEGIES,
  SUB_CHECK_OUTCOMES,
  WAITING_FOR,
  type AgentName,
  type RunState,
} from "../core/types.ts";

/**
 * The stored run state (release_run.state, JSONB), parsed in one place: the run repository reads
 * every run through it. A row that does not parse is a StoredStateError naming the field, never
 * a RunState with holes. Fields added after the first release are optional here as in the type.
 */

const ZEpochMs = z.number().finite();
const ZCounts = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int().min(0)])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>);
const AGENT_NAMES = Object.values(AGENTS_BY_PHASE).flat() as [AgentName, ...AgentName[]];
const CHECK_PHASES = Object.keys(AGENTS_BY_PHASE) as [keyof typeof AGENTS_BY_PHASE, ...(keyof typeof AGENTS_BY_PHASE)[]];

const ZAgentState = z.object({
  phase: z.enum(CHECK_PHASES),
  agent: z.enum(AGENT_NAMES),
  status: z.enum(AGENT_STATUSES),
  summary: z.string(),
  counts: ZCounts,
  checks: z
    .array(z.object({ name: z.string(), outcome: z.enum(SUB_CHECK_OUTCOMES), detail: z.string().optional(), highOrAbove: z.number().int().min(0).optional() }))
    .optional(),
});

const ZBlocker = z.object({
  id: z.string(),
  message: z.string(),
  waivable: z.boolean(),
  waived: z.object({ by: z.string(), reason: z.string(), at: ZEpochMs }).nullable(),
});

const ZGate = z.object({
  kind: z.enum(["approval", "verification"]),
  status: z.enum(["waiting", "open", "approved", "rejected"]),
  requiredApprovals: z.number().int().min(0),
  approvals: z.array(z.object({ userId: z.string(), name: z.string(), at: ZEpochMs })),
  blockers: z.array(ZBlocker),
  rejected: z.object({ by: z.string(), reason: z.string(), at: ZEpochMs }).nullable(),
});

const ZStep = z.object({ kind: z.enum(["setWeight", "switch", "batch"]), label: z.string(), percent: z.number().min(0).max(100), holdMs: z.number().min(0) });

const ZPolicy = z.object({
  version: z.number().int().positive(),
  requiredApprovals: z.number().int().min(0),
  holdMultiplier: z.number().positive(),
  separationOfDuties: z.boolean(),
  notConfiguredBlocks: z.boolean(),
  blockingSeverity: z.enum(SEVERITIES),
  blockingSeverityFrom: z.string().optional(),
  blockingChecks: z.array(z.string()).optional(),
  complianceRules: z.array(z.string()),
});

// Ranges were validated when the run was created (core/policy.ts analysisFor); here the shape.
const ZTrigger = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("errorRate"), rollbackAbove: z.number(), holdAbove: z.number().nullable(), detectAtLeast: z.number() }),
  z.object({ kind: z.literal("latency"), quantile: z.union([z.literal(0.95), z.literal(0.99)]), factor: z.number(), detectAtLeast: z.number() }),
  z.object({ kind: z.literal("businessMetric"), name: z.string(), allowedDrop: z.number(), detectDrop: z.number() }),
  z.object({ kind: z.literal("gauge"), resource: z.enum(["cpu", "memory"]), limitPercent: z.number(), consecutive: z.number() }),
  z.object({ kind: z.literal("securitySignal") }),
]);
const ZAnalysisConfig = z.object({ alpha: z.number().positive().max(1), triggers: z.array(ZTrigger) });

const ZParams = z.object({
  service: z.string(),
  environment: z.enum(ENVIRONMENTS),
  baselineVersion: z.string(),
  targetVersion: z.string(),
  strategy: z.enum(STRATEGIES),
  risk: z.enum(RISKS),
  compliance: z.enum(COMPLIANCES),
  router: z.enum(ROUTERS),
  createdBy: z.string(),
  analysis: ZAnalysisConfig.nullable().optional(),
});

const ZAnalysisSnapshot = z.object({
  verdict: z.enum(["pass", "insufficient", "hold", "rollback"]),
  summary: z.string(),
  requestsNeeded: z.number(),
  decidedBy: z.object({ trigger: z.string(), message: z.string() }).nullable(),
  at: ZEpochMs,
});

const ZRollback = z.object({
  reason: z.string(),
  requestedBy: z.string(),
  trigger: z.string().nullable(),
  startedAt: ZEpochMs,
  steps: z.array(z.object({ kind: z.enum(ROLLBACK_STEPS), status: z.enum(["pending", "running", "done", "failed", "skipped"]), detail: z.string() })),
});

export const ZRunState = z.object({
  params: ZParams,
  policy: ZPolicy,
  status: z.enum(RUN_STATUSES),
  phase: z.enum(PHASES),
  waitingFor: z.enum(WAITING_FOR).nullable(),
  agents: z.array(ZAgentState),
  gate: ZGate,
  verification: ZGate,
  steps: z.array(ZStep),
  stepIndex: z.number().int().min(-1),
  stepPhase: z.enum(["shifting", "holding"]).nullable(),
  holdEndsAt: ZEpochMs.nullable(),
  pausedRemainingMs: z.number().nullable(),
  canaryPercent: z.number().min(0).max(100),
  rollback: ZRollback.nullable(),
  analysis: ZAnalysisSnapshot.nullable().optional(),
  createdAt: ZEpochMs,
  startedAt: ZEpochMs.nullable(),
  finishedAt: ZEpochMs.nullable(),
  outcome: z.string().nullable(),
});

// The schema and the core's type must not drift apart: this fails to compile if they do.
type Parsed = z.infer<typeof ZRunState>;
const _sameShape = (s: Parsed): RunState => s;
const _sameTriggers = (a: z.infer<typeof ZAnalysisConfig>): AnalysisConfig => a;
void _sameTriggers;
void _sameShape;
