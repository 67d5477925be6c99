/**
 * What really happened to each rollout step of a finished run, read from its decisions: when the
 * step's weight was applied (its analysis began), when and how it ended. The what-if replay
 * compares its answers with these, and reads the stored windows that fall inside each step.
 */
import { duration } from "./format.ts";

/** A stored decision, as the replay reads it. */
export type DecisionFact = {
  stepIndex: number | null;
  /** the rule or person that decided */
  trigger: string;
  /** advance, hold, promote, rollback, abort, … */
  verdict: string;
  reason: string;
  /** the numbers behind it (JSON object) */
  evidence: unknown;
  /** when it was decided, epoch ms */
  at: number;
};

/** How a step really ended. */
export type ActualStep =
  | { kind: "promoted"; at: number; by: "analysis" | "operator" | "hold"; reason: string }
  | { kind: "rolledBack"; at: number; trigger: string; reason: string }
  | { kind: "aborted"; at: number; reason: string }
  /** the run ended during the step without a step decision (failed), or the step never held */
  | { kind: "ended"; at: number | null; reason: string }
  | { kind: "notReached" };

/** One step of a finished run, on the clock. */
export type StepTimeline = {
  index: number;
  label: string;
  /** canary traffic percent */
  percent: number;
  /** the step's hold, ms: it is promoted no earlier than this after its start */
  holdMs: number;
  /** when its weight was applied and the analysis began, epoch ms; null: it never held */
  startedAt: number | null;
  /** when it ended, epoch ms; null: never started */
  endedAt: number | null;
  actual: ActualStep;
  /** the first time the live analysis held it for a human, if it did */
  actualHoldAt: number | null;
};

/** The step shape the run state stores (label, percent, hold). */
export type StepSpec = { label: string; percent: number; holdMs: number };

const ENDING = new Set(["advance", "promote", "rollback", "abort"]);

const hasHoldMs = (evidence: unknown) => typeof evidence === "object" && evidence !== null && typeof (evidence as { holdMs?: unknown }).holdMs === "number";

/** Each step's start, end and real outcome, from the run's decisions (ordered by time). */
export function stepTimeline(steps: readonly StepSpec[], decisions: readonly DecisionFact[], finishedAt: number | null): StepTimeline[] {
  return steps.map((step, index) => {
    const mine = decisions.filter((d) => d.stepIndex === index);
    const start = mine.find((d) => d.verdict === "hold" && hasHoldMs(d.evidence));
    const base = { index, label: step.label, percent: step.percent, holdMs: step.holdMs };
    const end = mine.find((d) => ENDING.has(d.verdict) && (!start || d.at >= start.at));
    if (!start) {
      const actual: ActualStep = end?.verdict === "rollback" ? { kind: "rolledBack", at: end.at, trigger: end.trigger, reason: end.reason } : { kind: "notReached" };
      return { ...base, startedAt: null, endedAt: null, actual, actualHoldAt: null };
    }
    const held = mine.find((d) => d.verdict === "hold" && d.at > start.at && !hasHoldMs(d.evidence));
    const actualHoldAt = held && (!end || held.at <= end.at) ? held.at : null;
    if (!end) return { ...base, startedAt: start.at, endedAt: finishedAt, actual: { kind: "ended", at: finishedAt, reason: "The run ended during this step" }, actualHoldAt };
    return { ...base, startedAt: start.at, endedAt: end.at, actual: actualOf(end), actualHoldAt };
  });
}

function actualOf(d: DecisionFact): ActualStep {
  switch (d.verdict) {
    case "rollback":
      return { kind: "rolledBack", at: d.at, trigger: d.trigger, reason: d.reason };
    case "abort":
      return { kind: "aborted", at: d.at, reason: d.reason };
    case "promote":
      return { kind: "promoted", at: d.at, by: "operator", reason: d.reason };
    default:
      return { kind: "promoted", at: d.at, by: d.trigger === "analysis" ? "analysis" : "hold", reason: d.reason };
  }
}

/** A stored window's span: where it started and how long it ran. */
export type WindowSpan = { start: number; ms: number };

/**
 * Which stored windows each step replays: a window goes to the step it overlaps most (windows are
 * not aligned with steps, so a window astride a promotion is counted once, where most of it was).
 */
export function windowsByStep(timeline: readonly StepTimeline[], windows: readonly WindowSpan[]): number[][] {
  const out: number[][] = timeline.map(() => []);
  windows.forEach((w, i) => {
    let best = -1;
    let bestOverlap = 0;
    for (const step of timeline) {
      if (step.startedAt === null || step.endedAt === null) continue;
      const overlap = Math.min(w.start + w.ms, step.endedAt) - Math.max(w.start, step.startedAt);
      if (overlap > bestOverlap) {
        best = step.index;
        bestOverlap = overlap;
      }
    }
    if (best >= 0) out[best]?.push(i);
  });
  return out;
}

/** What really happened to a step, in a few words: "rolled back after 2 min (error-rate)". */
export function describeActual(step: StepTimeline): string {
  const after = (at: number) => (step.startedAt === null ? "" : ` after ${duration(Math.max(0, at - step.startedAt))}`);
  const a = step.actual;
  switch (a.kind) {
    case "promoted":
      return `promoted${after(a.at)} (${a.by === "analysis" ? "on evidence of health" : a.by === "operator" ? "by hand" : "when the hold elapsed"})`;
    case "rolledBack":
      return `rolled back${after(a.at)} (${a.trigger})`;
    case "aborted":
      return `aborted${after(a.at)}`;
    case "ended":
      return a.at === null ? "ended during this step" : `run ended${after(a.at)}`;
    case "notReached":
      return "not reached";
    default: {
      const never: never = a;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
}

/** What really happened to the run, in one sentence, from its steps and final status. */
export function describeRunActual(status: string, timeline: readonly StepTimeline[], outcome: string | null): string {
  const rolledBack = timeline.find((s) => s.actual.kind === "rolledBack");
  if (rolledBack) return `Rolled back at ${rolledBack.label}: ${describeActual(rolledBack)}`;
  const held = timeline.filter((s) => s.startedAt !== null);
  if (status === "succeeded") return `Succeeded: ${held.map((s) => `${s.label} ${describeActual(s)}`).join(", ") || "no step held"}`;
  const word = status.replace("_", " ");
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}${outcome ? `: ${outcome}` : ""}`;
}
