import type { RegionPlan } from "./regions.ts";
import type { AnalysisConfig, Verdict } from "./analysis/triggers.ts";

/**
 * Flightdeck's domain, in the release team's words. Pure types: no framework, no I/O.
 * Times are epoch milliseconds, passed in by the caller (the core never reads a clock).
 */

/** Where a release goes. Staging holds are shorter (environment hold scale). */
export const ENVIRONMENTS = ["staging", "production"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** How traffic moves to the new version. Default: canary 5% → 50% → 100%. */
export const STRATEGIES = ["canary", "blue-green", "rolling", "immediate"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Risk level; critical doubles holds and needs two approvers. */
export const RISKS = ["low", "medium", "high", "critical"] as const;
export type Risk = (typeof RISKS)[number];

/** Compliance framework the release falls under; each adds policy rules. */
export const COMPLIANCES = ["none", "sox", "gdpr", "hipaa", "pci"] as const;
export type Compliance = (typeof COMPLIANCES)[number];

/** Who may do what (see permissions.ts). */
export const ROLES = ["admin", "release_manager", "on_call", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** The procedure's phases, in order. */
export const PHASES = ["pre_deploy", "build", "approval", "rollout", "post_deploy", "record", "done"] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Overall run status. `running` covers every working and waiting state; `waitingFor` says what
 * a human must do. Terminal: succeeded, rolled_back, failed, aborted.
 */
export const RUN_STATUSES = ["running", "paused", "rolling_back", "succeeded", "rolled_back", "failed", "aborted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ["succeeded", "rolled_back", "failed", "aborted"];

/**
 * What the run waits on a person for: a waiver, an approval, a traffic weight to confirm; "evidence":
 * the hold is over but the canary has not served enough requests to judge it; "analysis": the
 * analysis asks a human (e.g. error rate above the 0.1% hold level).
 */
export const WAITING_FOR = ["waiver", "approval", "weight_confirmation", "evidence", "analysis"] as const;
export type WaitingFor = (typeof WAITING_FOR)[number] | null;

/**
 * Traffic router kind. `manual`: an operator applies each weight and confirms it; `builtin`:
 * Flightdeck's weighted proxy (and metric source); `nginx`: weighted upstream config + reload;
 * `webhook`: a signed call to the team's deploy system; `command`: a program on the server run per
 * weight change (kubectl, argo, …), without a shell; `flag`: a flag run's router (issue 15), which
 * moves the share of users getting the flag's new variant, whatever the environment's router is.
 */
export const ROUTERS = ["manual", "builtin", "nginx", "webhook", "command", "flag"] as const;
export type RouterKind = (typeof ROUTERS)[number];

/** The check runners of the procedure, by phase. */
export const AGENTS_BY_PHASE = {
  pre_deploy: ["qa-test-engineer", "security-audit-specialist", "devops-engineer"],
  build: ["systems-engineer", "accessibility-expert"],
  post_deploy: ["post-deploy-health"],
} as const;
export type CheckPhase = keyof typeof AGENTS_BY_PHASE;
export type AgentName = (typeof AGENTS_BY_PHASE)[CheckPhase][number];
/** Every agent, in procedure order. */
export const AGENT_NAMES = Object.values(AGENTS_BY_PHASE).flat() as [AgentName, ...AgentName[]];

/** Severity of a finding, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Record<Severity, number>;

/**
 * Result of one agent. `error`: the check could not run; `not_configured`: nothing to run.
 * Neither is ever a pass.
 */
export const AGENT_STATUSES = ["pending", "running", "passed", "failed", "error", "not_configured", "cancelled"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Whether one named part of an agent's checks ran, had nothing configured, or could not run. */
export const SUB_CHECK_OUTCOMES = ["ran", "not_configured", "could_not_run"] as const;
export type SubCheckOutcome = (typeof SUB_CHECK_OUTCOMES)[number];
export type SubCheckRun = {
  /** e.g. "load test", "configuration" */
  name: string;
  outcome: SubCheckOutcome;
  /** why it could not run, or what it checked (one line) */
  detail?: string;
  /** its findings at high or critical (for checks the policy always blocks on, e.g. failing tests) */
  highOrAbove?: number;
};

/**
 * What an agent's runner reports: the facts, never a verdict. The core judges it against the
 * run's policy (core/judge.ts), so the environment's blocking severity is the only rule.
 */
export type CheckReport = {
  /** every sub-check, in order; empty = nothing configured */
  checks: SubCheckRun[];
  /** findings per severity */
  counts: SeverityCounts;
  /** what was measured, in one line, e.g. "412 tests, 0 failed; coverage 86%" */
  summary: string;
};

/** One agent's part in a run. */
export type AgentState = {
  /** phase the agent ran in */
  phase: CheckPhase;
  agent: AgentName;
  status: AgentStatus;
  /** one-line result, e.g. "412 tests, 0 failed; coverage 86%" */
  summary: string;
  /** findings per severity */
  counts: SeverityCounts;
  /** per sub-check: ran, not configured, could not run (absent on runs from before policy v2) */
  checks?: SubCheckRun[];
};

/** A reason the gate cannot pass yet, from policy. */
export type Blocker = {
  /** stable id, e.g. "not_configured:qa-test-engineer" */
  id: string;
  message: string;
  /** a release manager may waive it with a reason (audited) */
  waivable: boolean;
  /** set once waived */
  waived: { by: string; reason: string; at: number } | null;
};

/** A person acting on a run. */
export type Actor = { id: string; name: string; role: Role };
/** The engine acting on its own (automated rollback, timeouts). */
export const ENGINE_ACTOR: Actor = { id: "engine", name: "Flightdeck engine", role: "admin" };

/** A gate: approvals and blockers that must clear before the run goes on. */
export type GateState = {
  kind: "approval" | "verification";
  /** waiting: not reached yet; open: deciding; approved / rejected: closed */
  status: "waiting" | "open" | "approved" | "rejected";
  /** approvers needed (policy: critical risk → 2) */
  requiredApprovals: number;
  approvals: { userId: string; name: string; at: number }[];
  blockers: Blocker[];
  rejected: { by: string; reason: string; at: number } | null;
};

/** One step of a rollout; the run persists the index of the current one. */
export type RolloutStep =
  | { kind: "setWeight"; label: string; percent: number; holdMs: number; region?: string }
  | { kind: "switch"; label: string; percent: number; holdMs: number; region?: string }
  | { kind: "batch"; label: string; percent: number; holdMs: number; region?: string };

/** A region-by-region run between waves: the next region's window is closed until `until` (null: never opens). */
export type RegionWait = { region: string; until: number | null; message: string };

/** Where the current step is: traffic being shifted, or holding at its weight. */
export type StepPhase = "shifting" | "holding";

/** The rollback procedure's steps, in order; traffic first. */
export const ROLLBACK_STEPS = ["revert_traffic", "data_migration", "cache_invalidation", "notify", "postmortem"] as const;
export type RollbackStepKind = (typeof ROLLBACK_STEPS)[number];
export type RollbackStepState = {
  kind: RollbackStepKind;
  status: "pending" | "running" | "done" | "failed" | "skipped";
  detail: string;
};
export type RollbackState = {
  reason: string;
  /** user id or "engine" */
  requestedBy: string;
  /** rule that fired, for automated rollbacks */
  trigger: string | null;
  startedAt: number;
  steps: RollbackStepState[];
};

/** The policy snapshot a run was created with (versioned with the run). */
export type Policy = {
  version: number;
  requiredApprovals: number;
  /** multiplies every hold */
  holdMultiplier: number;
  /** the creator may not approve (sox) */
  separationOfDuties: boolean;
  /** unconfigured checks block in this environment unless waived */
  notConfiguredBlocks: boolean;
  /** a finding at or above this severity blocks and cannot be waived */
  blockingSeverity: Severity;
  /** where blockingSeverity comes from, e.g. "production's gate policy", "PCI DSS" (policy v2 on) */
  blockingSeverityFrom?: string;
  /** sub-checks whose high or critical findings block whatever blockingSeverity says (failing tests) */
  blockingChecks?: string[];
  /** extra gates and evidence the framework asks for, shown in the UI */
  complianceRules: string[];
  /** the run was created during a change freeze, which an admin overrode (core/change-freeze.ts) */
  changeFreeze?: ChangeFreezeNote;
};

/** A change freeze overridden to create a run: shown on the gate and in the release record. */
export type ChangeFreezeNote = { freezeReason: string; until: string; overriddenBy: string; overrideReason: string };

/** Parameters a run is created with. */
export type RunParams = {
  service: string;
  environment: EnvironmentName;
  baselineVersion: string;
  targetVersion: string;
  strategy: Strategy;
  risk: Risk;
  compliance: Compliance;
  router: RouterKind;
  createdBy: string;
  /** automated canary analysis; absent or null when no metric source watches the run */
  analysis?: AnalysisConfig | null;
  /** a flag run (issue 15): the flag whose new variant is rolled out instead of a version; absent or null for a version run */
  flag?: RunFlag | null;
};

/** What a flag run rolls out: users getting `variant` are its canary, the rest (on `baselineVariant`) its baseline. */
export type RunFlag = {
  /** the flag's key in the run's environment, e.g. new-checkout */
  key: string;
  /** the variant rolled out */
  variant: string;
  /** the flag's default variant when the run was created: what a rollback returns everyone to */
  baselineVariant: string;
  /**
   * The service's version when the run was created: the code both variants run. The run's checks
   * examine it (a flag run ships no new build). Absent on runs created before it was recorded.
   */
  serviceVersion?: string;
};

/** The latest canary analysis of the current step, as the run page shows it. */
export type AnalysisSnapshot = {
  verdict: Verdict;
  /** one sentence with the numbers */
  summary: string;
  /** canary requests still needed before the step may be promoted */
  requestsNeeded: number;
  /** how long those take at the canary's current rate, ms; null or absent when unknown */
  msNeeded?: number | null;
  /** the trigger that decided a rollback or hold, with its message */
  decidedBy: { trigger: string; message: string } | null;
  /** when it was evaluated (epoch ms) */
  at: number;
};

/** Everything the core knows about a run. Persisted as JSON; authoritative. */
export type RunState = {
  params: RunParams;
  policy: Policy;
  status: RunStatus;
  phase: Phase;
  waitingFor: WaitingFor;
  agents: AgentState[];
  gate: GateState;
  verification: GateState;
  steps: RolloutStep[];
  /** index into steps; -1 before the rollout starts */
  stepIndex: number;
  stepPhase: StepPhase | null;
  /** when the current hold ends (epoch ms); null unless holding and not paused */
  holdEndsAt: number | null;
  /** hold left when paused */
  pausedRemainingMs: number | null;
  /** canary traffic percent last applied and confirmed */
  canaryPercent: number;
  rollback: RollbackState | null;
  /** latest canary analysis of the current step; null before any or without analysis */
  analysis?: AnalysisSnapshot | null;
  createdAt: number;
  /** when the procedure was started; null until the engine starts it */
  startedAt: number | null;
  finishedAt: number | null;
  /** why the run ended as it did */
  outcome: string | null;
  /** region-by-region runs (issue 15): the regions in wave order with each one's state; absent otherwise */
  regionPlan?: RegionPlan | null;
  /** set while the run waits for the next region's window */
  regionWait?: RegionWait | null;
};
