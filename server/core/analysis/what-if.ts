/**
 * What-if replay: a finished run's stored 10 s windows fed, window by window, to the real
 * `evaluateStep` under another config, with health judged at every window, and the engine's own
 * promotion rule (a step advances on a "pass" once its hold has elapsed; a hold or error at that
 * moment waits for a human). It says when the other policy would have rolled back or promoted
 * each step, next to what really happened. The core never reads a sketch: the caller counts
 * each window's slow canary requests against whatever threshold the replay asks for.
 */
import { duration } from "./format.ts";
import { latencyThresholds } from "./sequential-tests.ts";
import { evaluateStep, startStep } from "./step-analysis.ts";
import { emptyTotals, type AnalysisConfig, type CanaryBatch, type LatencyTestId, type QuantileName, type Verdict, type WindowTotals } from "./triggers.ts";
import { describeActual, type StepTimeline } from "./what-if-steps.ts";

/** One side's figures in one stored window. */
export type WindowSide = {
  requests: number;
  errors: number;
  attempts: number;
  conversions: number;
  /** the window's last gauge sample, percent of the limit; null when none arrived */
  cpuPercent: number | null;
  memoryPercent: number | null;
};

/** One stored 10 s window, both sides, as the replay consumes it. */
export type ReplayWindow = {
  /** when the window closed, epoch ms: replayed verdicts are placed here */
  at: number;
  baseline: WindowSide;
  canary: WindowSide;
  /** the baseline's p95 and p99 from every baseline window since the rollout began up to this one (merged sketches), ms */
  baselineLatencyMs: Record<QuantileName, number | null>;
  /** this window's canary requests slower than `thresholdMs`, counted by the caller from the window's sketch */
  canarySlowerThan: (thresholdMs: number) => number;
};

/** A step to replay: its place on the clock, what happened, and its windows in time order. */
export type ReplayStep = StepTimeline & { windows: ReplayWindow[] };

/** When something happened in a replayed step. */
export type ReplayMoment = { at: number; afterMs: number };

/** What the replayed policy would have done with one step. */
export type StepOutcome =
  | ({ kind: "rollback"; trigger: string; message: string } & ReplayMoment)
  | ({ kind: "promote" } & ReplayMoment)
  /** the hold elapsed while the analysis held (or could not read its metrics): a human decides */
  | ({ kind: "human"; verdict: "hold" | "error"; message: string } & ReplayMoment)
  /** the stored data ended before a decision: still short of evidence (or the hold not over) */
  | { kind: "waiting"; holdElapsed: boolean; summary: string }
  /** no stored windows for this step */
  | { kind: "noData" };

/** One step, replayed. */
export type StepReplay = {
  index: number;
  label: string;
  startedAt: number | null;
  /** windows replayed and the canary requests in them */
  windows: number;
  canaryRequests: number;
  firstRollback: ({ trigger: string; message: string } & ReplayMoment) | null;
  firstHold: ({ trigger: string; message: string } & ReplayMoment) | null;
  /** the first window at which every gating test showed health (promotion still waits for the hold) */
  firstPass: ReplayMoment | null;
  outcome: StepOutcome;
  /** the replay's answer in words: "rolled back after 1 min 50 s (error-rate)" */
  wouldHave: string;
  /** what really happened, in the same words */
  actually: string;
};

/** A whole run, replayed. */
export type RunReplay = {
  steps: StepReplay[];
  /** the run's answer: a rollback anywhere wins, then the first step that would have waited, else promoted */
  verdict: "rollback" | "human" | "waiting" | "promote" | "noData";
  /** one sentence: "Would have rolled back at 5% canary after 1 min 50 s (error-rate)" */
  summary: string;
  /** what the replay cannot see, said plainly */
  notes: string[];
};

/** What the replay's times mean: the live analysis is finer than the stored windows. */
export const REPLAY_GRANULARITY_NOTE =
  "Replayed from the stored 10 s windows; the live analysis evaluates every 250 ms, so each time is within one window (10 s) of when it would have been decided.";

const NOTES = [
  REPLAY_GRANULARITY_NOTE,
  "CPU and memory are replayed from one sample per window, and security signals are not replayed; pauses are not modelled.",
  "A step can only be replayed over the time it really ran: if the run left it earlier, the replay stops where its data ends.",
];

/** Replays every step of a run under `config`. */
export function replayRun(config: AnalysisConfig, steps: readonly ReplayStep[]): RunReplay {
  const baseline = { requests: 0, errors: 0, attempts: 0, conversions: 0 };
  const replayed: StepReplay[] = [];
  let rolledBack = false;
  for (const step of steps) {
    if (rolledBack) {
      replayed.push({ ...blank(step), outcome: { kind: "noData" }, wouldHave: "not reached (rolled back before)" });
      continue;
    }
    const r = replayStep(config, step, steps.length, baseline);
    replayed.push(r);
    if (r.outcome.kind === "rollback") rolledBack = true;
  }
  return { steps: replayed, ...runVerdict(replayed), notes: NOTES };
}

const counts = (c: { requests: number; errors: number; attempts: number; conversions: number }) => ({ requests: c.requests, errors: c.errors, attempts: c.attempts, conversions: c.conversions });

function blank(step: ReplayStep): Omit<StepReplay, "outcome" | "wouldHave"> {
  return { index: step.index, label: step.label, startedAt: step.startedAt, windows: 0, canaryRequests: 0, firstRollback: null, firstHold: null, firstPass: null, actually: describeActual(step) };
}

function replayStep(config: AnalysisConfig, step: ReplayStep, stepCount: number, baseline: { requests: number; errors: number; attempts: number; conversions: number }): StepReplay {
  const out = blank(step);
  if (step.startedAt === null || step.windows.length === 0) return { ...out, outcome: { kind: "noData" }, wouldHave: "no stored metrics for this step" };
  const startedAt = step.startedAt;
  const moment = (at: number): ReplayMoment => ({ at, afterMs: Math.max(0, at - startedAt) });
  const holdEndsAt = startedAt + step.holdMs;
  const canary = { requests: 0, errors: 0, attempts: 0, conversions: 0, cpu: [] as number[], memory: [] as number[] };
  let session = startStep(step.index, stepCount, startedAt);
  let waiting: "hold" | "evidence" = "hold";
  let last: { verdict: Verdict; summary: string } | null = null;
  let outcome: StepOutcome | null = null;

  for (const w of step.windows) {
    out.windows += 1;
    out.canaryRequests += w.canary.requests;
    for (const key of ["requests", "errors", "attempts", "conversions"] as const) {
      baseline[key] += w.baseline[key];
      canary[key] += w.canary[key];
    }
    if (w.canary.cpuPercent !== null) canary.cpu.push(w.canary.cpuPercent);
    if (w.canary.memoryPercent !== null) canary.memory.push(w.canary.memoryPercent);
    const thresholds = latencyThresholds(config, w.baselineLatencyMs);
    const slowerThan: CanaryBatch["slowerThan"] = {};
    for (const [id, thresholdMs] of Object.entries(thresholds) as [LatencyTestId, number][]) slowerThan[id] = { thresholdMs, count: w.canarySlowerThan(thresholdMs) };
    const totals: WindowTotals = {
      ...emptyTotals(),
      baseline: { ...counts(baseline), latencyMs: w.baselineLatencyMs, cpuPercent: [], memoryPercent: [] },
      canary: { ...counts(canary), latencyMs: { p95: null, p99: null }, cpuPercent: [...canary.cpu], memoryPercent: [...canary.memory] },
      canarySlowerThan: slowerThan,
    };
    const batch: CanaryBatch = { at: w.at, requests: w.canary.requests, errors: w.canary.errors, attempts: w.canary.attempts, conversions: w.canary.conversions, slowerThan };
    // Health (the confidence bounds) is most of the cost; it matters until the first pass and
    // again from the hold's end. Detection does not depend on it, so skipping it in between is exact.
    const health = out.firstPass === null || w.at >= holdEndsAt;
    const next = evaluateStep(config, session, batch, totals, { health });
    session = next.session;
    const { verdict, decidedBy, summary } = next.result;
    last = { verdict, summary };
    if (verdict === "rollback") {
      out.firstRollback = { ...moment(w.at), trigger: decidedBy?.trigger ?? "analysis", message: decidedBy?.message ?? summary };
      outcome = { kind: "rollback", ...out.firstRollback };
      break;
    }
    if (verdict === "hold" && !out.firstHold) out.firstHold = { ...moment(w.at), trigger: decidedBy?.trigger ?? "analysis", message: decidedBy?.message ?? summary };
    if (verdict === "pass" && !out.firstPass) out.firstPass = moment(w.at);
    if (w.at < holdEndsAt) continue;
    // The engine's rule (core/rollout.ts): at the hold's end a pass advances, "insufficient" waits
    // for evidence (the first pass then advances), a hold or an error waits for a human.
    if (verdict === "pass") {
      outcome = { kind: "promote", ...moment(w.at) };
      break;
    }
    if (verdict === "hold" || verdict === "error") {
      outcome = { kind: "human", verdict, message: decidedBy?.message ?? summary, ...moment(w.at) };
      break;
    }
    waiting = "evidence";
  }
  outcome ??= { kind: "waiting", holdElapsed: waiting === "evidence", summary: last?.summary ?? "no evaluation" };
  return { ...out, outcome, wouldHave: describeOutcome(outcome) };
}

/** A replayed step's outcome in a few words. */
export function describeOutcome(o: StepOutcome): string {
  switch (o.kind) {
    case "rollback":
      return `rolled back after ${duration(o.afterMs)} (${o.trigger})`;
    case "promote":
      return `promoted after ${duration(o.afterMs)}`;
    case "human":
      return `held for a human after ${duration(o.afterMs)} (${o.verdict === "error" ? "metrics unusable" : "hold level"})`;
    case "waiting":
      return o.holdElapsed ? "still insufficient evidence when the stored data ends" : "hold not over when the stored data ends";
    case "noData":
      return "no stored metrics for this step";
    default: {
      const never: never = o;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
}

function runVerdict(steps: readonly StepReplay[]): Pick<RunReplay, "verdict" | "summary"> {
  const at = (s: StepReplay) => `at ${s.label}`;
  const rollback = steps.find((s) => s.outcome.kind === "rollback");
  if (rollback) return { verdict: "rollback", summary: `Would have rolled back ${at(rollback)}: ${rollback.wouldHave}` };
  const replayed = steps.filter((s) => s.outcome.kind !== "noData");
  if (replayed.length === 0) return { verdict: "noData", summary: "Nothing to replay: no stored metrics for any step" };
  const stuck = replayed.find((s) => s.outcome.kind === "human" || s.outcome.kind === "waiting");
  if (stuck) return { verdict: stuck.outcome.kind === "human" ? "human" : "waiting", summary: `Would not have rolled back; ${at(stuck)}: ${stuck.wouldHave}` };
  const missing = steps.length - replayed.length;
  return {
    verdict: "promote",
    summary: `Would have promoted ${replayed.map((s) => `${s.label} after ${s.outcome.kind === "promote" ? duration(s.outcome.afterMs) : "?"}`).join(", ")}${missing > 0 ? ` (${missing} step${missing === 1 ? "" : "s"} without data)` : ""}`,
  };
}
