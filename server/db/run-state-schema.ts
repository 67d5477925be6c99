import * as z from "zod/mini";
import { VERDICTS, type AnalysisConfig } from "../core/analysis/triggers.ts";
import {
  AGENT_STATUSES,
  AGENT_NAMES,
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
  type RunState,
} from "../core/types.ts";

/**
 * The stored run state (release_run.state, JSONB), parsed in one place: the run repository reads
 * every run through it. A row that does not parse is a StoredStateError naming the field, never
 * a RunState with holes. Fields added after the first release are optional here as in the type.
 */

const ZEpochMs = z.number();
const ZCounts = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.int().check(z.nonnegative())])) as Record<(typeof SEVERITIES)[number], z.ZodMiniInt>);
const CHECK_PHASES = Object.keys(AGENTS_BY_PHASE) as [keyof typeof AGENTS_BY_PHASE, ...(keyof typeof AGENTS_BY_PHASE)[]];

const ZAgentState = z.object({
  phase: z.enum(CHECK_PHASES),
  agent: z.enum(AGENT_NAMES),
  status: z.enum(AGENT_STATUSES),
  summary: z.string(),
  counts: ZCounts,
  checks: z.optional(
    z.array(z.object({ name: z.string(), outcome: z.enum(SUB_CHECK_OUTCOMES), detail: z.optional(z.string()), highOrAbove: z.optional(z.int().check(z.nonnegative())) })),
  ),
});

const ZBlocker = z.object({
  id: z.string(),
  message: z.string(),
  waivable: z.boolean(),
  waived: z.nullable(z.object({ by: z.string(), reason: z.string(), at: ZEpochMs })),
});

const ZGate = z.object({
  kind: z.enum(["approval", "verification"]),
  status: z.enum(["waiting", "open", "approved", "rejected"]),
  requiredApprovals: z.int().check(z.nonnegative()),
  approvals: z.array(z.object({ userId: z.string(), name: z.string(), at: ZEpochMs })),
  blockers: z.array(ZBlocker),
  rejected: z.nullable(z.object({ by: z.string(), reason: z.string(), at: ZEpochMs })),
});

const ZStep = z.object({ kind: z.enum(["setWeight", "switch", "batch"]), label: z.string(), percent: z.number().check(z.gte(0), z.lte(100)), holdMs: z.number().check(z.nonnegative()), region: z.optional(z.string()) });

// Region-by-region runs (issue 15): the wave plan and the wait for a region's window.
const ZRegionPlan = z.object({
  regions: z.array(
    z.object({
      name: z.string(),
      wave: z.number(),
      timeZone: z.string(),
      windows: z.array(z.object({ days: z.array(z.number()), from: z.string(), to: z.string() })),
      router: z.optional(z.string()),
      state: z.enum(["pending", "active", "released", "failed", "rolledBack", "skipped"]),
      startedAt: z.nullable(ZEpochMs),
      endedAt: z.nullable(ZEpochMs),
      reason: z.nullable(z.string()),
    }),
  ),
  policy: z.object({ rollbackReleasedRegions: z.boolean() }),
});
const ZRegionWait = z.object({ region: z.string(), until: z.nullable(ZEpochMs), message: z.string() });

const ZPolicy = z.object({
  version: z.int().check(z.positive()),
  requiredApprovals: z.int().check(z.nonnegative()),
  holdMultiplier: z.number().check(z.positive()),
  separationOfDuties: z.boolean(),
  notConfiguredBlocks: z.boolean(),
  blockingSeverity: z.enum(SEVERITIES),
  blockingSeverityFrom: z.optional(z.string()),
  blockingChecks: z.optional(z.array(z.string())),
  complianceRules: z.array(z.string()),
  changeFreeze: z.optional(z.object({ freezeReason: z.string(), until: z.string(), overriddenBy: z.string(), overrideReason: z.string() })),
});

// Ranges were validated when the run was created (core/policy.ts analysisFor); here the shape.
const ZTrigger = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("errorRate"), rollbackAbove: z.number(), holdAbove: z.nullable(z.number()), detectAtLeast: z.number() }),
  z.object({
    kind: z.literal("latency"),
    quantile: z.union([z.literal(0.95), z.literal(0.99)]),
    factor: z.number(),
    detectAtLeast: z.number(),
    hold: z.optional(z.nullable(z.object({ factor: z.number(), share: z.number() }))),
  }),
  z.object({ kind: z.literal("businessMetric"), name: z.string(), allowedDrop: z.number(), detectDrop: z.number() }),
  z.object({ kind: z.literal("gauge"), resource: z.enum(["cpu", "memory"]), limitPercent: z.number(), consecutive: z.number() }),
  z.object({ kind: z.literal("securitySignal") }),
]);
const ZAnalysisConfig = z.object({
  alpha: z.number().check(z.positive(), z.lte(1)),
  triggers: z.array(ZTrigger),
  feedTimeoutMs: z.optional(z.number().check(z.positive())),
});

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
  analysis: z.optional(z.nullable(ZAnalysisConfig)),
  flag: z.optional(z.nullable(z.object({ key: z.string(), variant: z.string(), baselineVariant: z.string(), serviceVersion: z.optional(z.string()) }))),
});

const ZAnalysisSnapshot = z.object({
  verdict: z.enum(VERDICTS),
  summary: z.string(),
  requestsNeeded: z.number(),
  msNeeded: z.optional(z.nullable(z.number())),
  decidedBy: z.nullable(z.object({ trigger: z.string(), message: z.string() })),
  at: ZEpochMs,
});

const ZRollback = z.object({
  reason: z.string(),
  requestedBy: z.string(),
  trigger: z.nullable(z.string()),
  startedAt: ZEpochMs,
  steps: z.array(z.object({ kind: z.enum(ROLLBACK_STEPS), status: z.enum(["pending", "running", "done", "failed", "skipped"]), detail: z.string() })),
});

export const ZRunState = z.object({
  params: ZParams,
  policy: ZPolicy,
  status: z.enum(RUN_STATUSES),
  phase: z.enum(PHASES),
  waitingFor: z.nullable(z.enum(WAITING_FOR)),
  agents: z.array(ZAgentState),
  gate: ZGate,
  verification: ZGate,
  steps: z.array(ZStep),
  stepIndex: z.int().check(z.gte(-1)),
  stepPhase: z.nullable(z.enum(["shifting", "holding"])),
  holdEndsAt: z.nullable(ZEpochMs),
  pausedRemainingMs: z.nullable(z.number()),
  canaryPercent: z.number().check(z.gte(0), z.lte(100)),
  rollback: z.nullable(ZRollback),
  analysis: z.optional(z.nullable(ZAnalysisSnapshot)),
  createdAt: ZEpochMs,
  startedAt: z.nullable(ZEpochMs),
  finishedAt: z.nullable(ZEpochMs),
  outcome: z.nullable(z.string()),
  regionPlan: z.optional(z.nullable(ZRegionPlan)),
  regionWait: z.optional(z.nullable(ZRegionWait)),
});

// The schema and the core's type must not drift apart: this fails to compile if they do.
type Parsed = z.infer<typeof ZRunState>;
const _sameShape = (s: Parsed): RunState => s;
const _sameTriggers = (a: z.infer<typeof ZAnalysisConfig>): AnalysisConfig => a;
void _sameTriggers;
void _sameShape;
