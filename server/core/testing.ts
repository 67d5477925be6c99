/**
 * Factories for the core's unit tests: a run created the way the engine creates one, the people
 * who act on it, and a way to drive it through events that must all be accepted.
 */
import { expect } from "vitest";
import { createRunState, decide, type Transition } from "./decide.ts";
import type { RunEffect, RunEvent } from "./events.ts";
import { policyFor } from "./policy.ts";
import { DEFAULT_HOLD_SCALE, scaledSteps } from "./strategy.ts";
import { AGENTS_BY_PHASE, type Actor, type AgentName, type AgentStatus, type CheckPhase, type CheckReport, type RunParams, type RunState, type SeverityCounts, type SubCheckRun } from "./types.ts";

/** A fixed clock: 2023-11-14T22:13:20Z. Tests add offsets to it, never read the real time. */
export const T0 = 1_700_000_000_000;
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** One person per role, plus the run's creator and a second release manager for two-person gates. */
export const actors = {
  admin: { id: "u-admin", name: "Ada Admin", role: "admin" },
  manager: { id: "u-rm", name: "Rita Manager", role: "release_manager" },
  secondManager: { id: "u-rm2", name: "Sam Manager", role: "release_manager" },
  creator: { id: "u-creator", name: "Carl Creator", role: "release_manager" },
  onCall: { id: "u-oncall", name: "Otto On-call", role: "on_call" },
  viewer: { id: "u-viewer", name: "Vera Viewer", role: "viewer" },
} satisfies Record<string, Actor>;

/** A medium-risk canary of checkout to production through the manual router, created by Carl. */
export function runParams(overrides: Partial<RunParams> = {}): RunParams {
  return {
    service: "checkout",
    environment: "production",
    baselineVersion: "v1.4.2",
    targetVersion: "v1.5.0",
    strategy: "canary",
    risk: "medium",
    compliance: "none",
    router: "manual",
    createdBy: actors.creator.id,
    ...overrides,
  };
}

/** A new run with the policy and the scaled steps its parameters imply, as the engine builds it. */
export function createRun(overrides: Partial<RunParams> = {}, now: number = T0): RunState {
  const params = runParams(overrides);
  const policy = policyFor(params.risk, params.compliance, params.environment);
  const steps = scaledSteps(params.strategy, {
    environment: DEFAULT_HOLD_SCALE[params.environment],
    policy: policy.holdMultiplier,
    global: 1,
  });
  return createRunState(params, policy, steps, now);
}

export function counts(some: Partial<SeverityCounts> = {}): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...some };
}

type AgentResult = Exclude<AgentStatus, "pending" | "running">;
/** An agent reporting its result. */
export type AgentFinished = Extract<RunEvent, { kind: "agentFinished" }>;

/**
 * What a runner reports for an outcome, as real runners do: sub-checks that ran (passed, failed),
 * one that could not run (error, cancelled) or none configured. "failed" without findings gets one
 * critical finding, which blocks under every policy; the core judges the rest.
 */
export function reportFor(status: AgentResult, found: Partial<SeverityCounts> = {}, summary = ""): CheckReport {
  const failing = status === "failed" && Object.values(found).every((n) => !n);
  const checks: SubCheckRun[] =
    status === "not_configured"
      ? []
      : status === "error" || status === "cancelled"
        ? [{ name: "checks", outcome: "could_not_run", detail: summary || "unreachable" }]
        : [{ name: "checks", outcome: "ran" }];
  return { checks, counts: counts(failing ? { critical: 1 } : found), summary };
}

/** One agent reporting (see reportFor). */
export function finished(phase: CheckPhase, agent: AgentName, status: AgentResult, found: Partial<SeverityCounts> = {}, summary = ""): AgentFinished {
  return { kind: "agentFinished", phase, agent, report: reportFor(status, found, summary) };
}

/** Every agent of a phase reporting the same result, in procedure order. */
export function phaseFinished(phase: CheckPhase, status: AgentResult, found: Partial<SeverityCounts> = {}): AgentFinished[] {
  return AGENTS_BY_PHASE[phase].map((agent) => finished(phase, agent, status, found, `${agent}: ${status}`));
}

/** Everything that happened while feeding events: the last state, and all effects and decisions. */
export type Fed = {
  state: RunState;
  last: Transition;
  effects: RunEffect[];
  decisions: Transition["decisions"];
};

/** Feeds events through decide at one instant, failing the test if any of them is refused. */
export function feed(state: RunState, events: RunEvent[], now: number = T0): Fed {
  let last: Transition = { state, effects: [], decisions: [], rejected: null, note: null };
  const effects: RunEffect[] = [];
  const decisions: Transition["decisions"] = [];
  for (const event of events) {
    last = decide(last.state, event, now);
    expect(last.rejected, `${event.kind} was refused`).toBeNull();
    effects.push(...last.effects);
    decisions.push(...last.decisions);
  }
  return { state: last.state, last, effects, decisions };
}

/** Expects the event to be refused with a message, leaving the run exactly as it was. */
export function expectRefused(state: RunState, event: RunEvent, message: string | RegExp, now: number = T0): Transition {
  const before = structuredClone(state);
  const t = decide(state, event, now);
  expect(t.rejected).toMatch(message);
  expect(t.state).toEqual(before);
  expect(t.effects).toEqual([]);
  expect(t.decisions).toEqual([]);
  return t;
}

/** A run at its approval gate after all pre-deploy and build checks finished with the given results. */
export function atApprovalGate(overrides: Partial<RunParams> = {}, results: { preDeploy?: AgentResult; build?: AgentResult } = {}): RunState {
  const run = createRun(overrides);
  return feed(run, [{ kind: "start" }, ...phaseFinished("pre_deploy", results.preDeploy ?? "passed"), ...phaseFinished("build", results.build ?? "passed")]).state;
}

/** A run past its approval gate, at step 0 with traffic not yet shifted (clean checks, approved as needed). */
export function inRollout(overrides: Partial<RunParams> = {}): RunState {
  const gate = atApprovalGate(overrides);
  const approvers = [actors.manager, actors.secondManager].slice(0, gate.gate.requiredApprovals);
  return feed(gate, approvers.map((actor) => ({ kind: "approve", actor, reason: "checks green" }))).state;
}

/** The run after the operator confirms the current step's weight at `now` (so it holds). */
export function confirmStep(state: RunState, now: number = T0): RunState {
  const step = state.steps[state.stepIndex];
  if (!step) throw new Error(`no rollout step ${state.stepIndex}`);
  return feed(state, [{ kind: "confirmWeight", actor: actors.manager, percent: step.percent }], now).state;
}

/** Confirms and promotes every step of the rollout, leaving the run in post-deploy checks. */
export function throughRollout(state: RunState, now: number = T0): RunState {
  let s = state;
  while (s.phase === "rollout") {
    s = confirmStep(s, now);
    s = feed(s, [{ kind: "promote", actor: actors.manager, reason: "looks healthy" }], now).state;
  }
  return s;
}
