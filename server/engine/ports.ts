import type { WindowTotals } from "../core/analysis/triggers.ts";
import type { AgentName, CheckPhase, Compliance, EnvironmentName, Risk, Severity, SubCheckRun } from "../core/types.ts";
import type { ConfigChange } from "../core/record/config-diff.ts";
import type { HookName, THook } from "../db/environment-config-schema.ts";
import type { TServiceContact } from "../db/service-contacts-schema.ts";

/** Where traffic is split: the service and environment of a run, and its two versions. */
/** `region`: a region-by-region run's step, moved by that region's own router (issue 15). */
export type RouteTarget = { runId: string; service: string; environment: EnvironmentName; baseline: string; canary: string; region?: string };

/** What a router serves now: the run its split belongs to (null: none since it started) and the canary's percent. */
export type ServedWeight = { runId: string | null; percent: number };

/** Shifts traffic between baseline and canary. One implementation per router kind. */
export interface TrafficRouter {
  /** Send `percent` of new requests to the canary. */
  setWeight(target: RouteTarget, percent: number): Promise<void>;
  /** Whether the router really serves `percent` to the canary now. */
  verifyWeight(target: RouteTarget, percent: number): Promise<boolean>;
  /**
   * The split the router serves now, read from the router itself (the weight reconciler compares
   * it with the run's); null when it cannot be read at the moment. Absent on routers that cannot
   * report it (a webhook's deploy system), whose weight is re-applied after a restart instead.
   */
  servedWeight?(target: RouteTarget): Promise<ServedWeight | null>;
}

/** A finding, as an agent reports it. */
export type CheckFinding = { severity: Severity; message: string; evidence: string; link?: string; /** the sub-check that found it */ check?: string };

/** What a check runner is given: who it runs for, its configuration and ways to report. */
export type CheckContext = {
  runId: string;
  phase: CheckPhase;
  agent: AgentName;
  service: string;
  environment: EnvironmentName;
  baselineVersion: string;
  targetVersion: string;
  /** the release's risk and compliance framework, as the run was started with */
  risk: Risk;
  compliance: Compliance;
  /** this agent's configuration for the service and environment; undefined = none */
  config: unknown;
  /** aborted when the run is rolled back or aborted, or the check times out */
  signal: AbortSignal;
  progress: (percent: number) => Promise<void>;
  log: (line: string) => Promise<void>;
};

/**
 * What one agent's checks found: the findings and, per sub-check, whether it ran, was not
 * configured or could not run. No verdict: the core judges it against the run's policy
 * (core/judge.ts), so no runner can make a finding block that the policy lets through.
 */
export type CheckResult = {
  findings: CheckFinding[];
  /** every sub-check in order; empty = nothing configured */
  checks: SubCheckRun[];
  /** what was measured, one line, e.g. "412 tests, 0 failed; coverage 86%" */
  summary: string;
};

/** Runs one agent's checks. */
export interface CheckRunner {
  run(ctx: CheckContext): Promise<CheckResult>;
}

/** A message for the people following a run (webhooks, chat, the run page). */
export type Notification = {
  runId: string;
  severity: "info" | "warning" | "critical";
  message: string;
  /** the service's emergency contacts, named in a rollback's notification (procedure: notify on rollback); absent = none named */
  contacts?: TServiceContact[];
};

export interface Notifier {
  /**
   * Sends a notification. Resolves with the channels that reached people (e.g. ["webhook"]); an
   * empty list means nobody outside this server saw it (the log only, or a delivery that failed).
   */
  notify(n: Notification): Promise<string[]>;
}

/**
 * What the canary analysis reads: a run's totals per side (baseline over the rollout, canary over
 * the current step); null when nothing watches the run. Implemented by the metrics aggregator.
 */
export interface MetricSource {
  totals(runId: string): WindowTotals | null;
}

/** The run a rollback hook acts for; passed to commands as FLIGHTDECK_* variables and to webhooks as JSON. */
/**
 * What a rollback hook is told. Hooks run at least once (a server killed mid-hook runs it again):
 * `idempotencyKey` is the same on every attempt of one hook of one rollback, `attempt` counts from 1.
 */
export type HookContext = { runId: string; service: string; environment: string; baseline: string; canary: string; idempotencyKey: string; attempt: number };
/** How a hook ended: the rollback step's status and the detail shown on the run page. */
export type HookOutcome = { status: "done" | "failed" | "skipped"; detail: string };
/** A hook with its webhook secret decrypted (only ever in server memory). */
export type ResolvedHook = Exclude<NonNullable<THook>, { kind: "webhook" }> | { kind: "webhook"; url: string; secret: string };
/** Runs one rollback hook (adapters/hooks/run-hook.ts); never throws, a failure is an outcome. */
export type RunRollbackHook = (hook: ResolvedHook | null, name: HookName, ctx: HookContext) => Promise<HookOutcome>;

/** What the release record quotes from the service's files: configuration changes and release notes. */
export type RecordMaterial = { configChanges: ConfigChange[] | string | null; releaseNotes: string | null };
/** Reads it from the code-architect's configuration (adapters/checks/release-record-material.ts); never throws. */
export type ReadRecordMaterial = (config: unknown) => Promise<RecordMaterial>;
