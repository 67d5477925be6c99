import type { SequentialEvaluation, Verdict } from "@/server/core/analysis/triggers";
import type { BadgeTone } from "@/components/ui/badge";

/**
 * An e-process evaluation as it reaches the browser: JSON has no Infinity, so a figure that
 * cannot be computed (a minimum sample with no baseline floor yet) arrives as null.
 */
export type ShownSequential = Omit<SequentialEvaluation, "trigger" | "p0" | "logE" | "logThreshold" | "alpha" | "minSamples"> & {
  /** trigger id, e.g. "error-rate"; a string, so a trigger newer than this page still shows */
  trigger: string;
  p0: number | null;
  logE: number | null;
  logThreshold: number | null;
  alpha: number | null;
  minSamples: number | null;
};

/** A hard rule's evaluation (CPU, memory, security signals). */
export type ShownRule = { method: "rule"; trigger: string; verdict: Verdict; n: number; k: number; limit: number | null; message: string };

/** One trigger's evaluation, as the evidence panel shows it. */
export type ShownEvaluation = ShownSequential | ShownRule;

const VERDICTS: readonly Verdict[] = ["pass", "insufficient", "hold", "rollback"];

/** An unknown verdict is never shown as a pass. */
export function parseVerdict(value: unknown): Verdict {
  return VERDICTS.find((v) => v === value) ?? "insufficient";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function parseOne(raw: unknown): ShownEvaluation | null {
  if (!isRecord(raw) || typeof raw.trigger !== "string") return null;
  const base = {
    trigger: raw.trigger,
    verdict: parseVerdict(raw.verdict),
    n: num(raw.n) ?? 0,
    k: num(raw.k) ?? 0,
    message: typeof raw.message === "string" ? raw.message : "",
  };
  if (raw.method === "rule") return { ...base, method: "rule", limit: num(raw.limit) };
  if (raw.method !== "e-process") return null;
  return {
    ...base,
    method: "e-process",
    level: raw.level === "hold" ? "hold" : "rollback",
    p0: num(raw.p0),
    observedRate: num(raw.observedRate),
    baselineFigure: num(raw.baselineFigure),
    logE: num(raw.logE),
    logThreshold: num(raw.logThreshold),
    alpha: num(raw.alpha),
    minSamples: num(raw.minSamples),
  };
}

/** Evaluations as stored or streamed (untyped JSON), checked field by field. */
export function parseEvaluations(raw: unknown): ShownEvaluation[] {
  if (!Array.isArray(raw)) return [];
  return raw.map(parseOne).filter((e): e is ShownEvaluation => e !== null);
}

const TRIGGER_NAMES: Record<string, string> = {
  "error-rate": "Error rate",
  "error-rate-hold": "Error rate (hold level)",
  "latency-p95": "p95 latency",
  "latency-p99": "p99 latency",
  "business-metric": "Business metric",
  cpu: "CPU",
  memory: "Memory",
  security: "Security signals",
};

/** A trigger in words: "latency-p95" → "p95 latency". */
export function triggerName(trigger: string): string {
  return TRIGGER_NAMES[trigger] ?? trigger.replaceAll("-", " ");
}

const VERDICT_LOOK: Record<Verdict, { text: string; tone: BadgeTone; icon: string }> = {
  pass: { text: "pass", tone: "success", icon: "✓" },
  insufficient: { text: "insufficient evidence", tone: "muted", icon: "?" },
  hold: { text: "hold for a human", tone: "warning", icon: "❚❚" },
  rollback: { text: "roll back", tone: "danger", icon: "↩" },
};

/** Badge text, colour and icon for a verdict; the text carries the meaning. */
export function verdictLook(verdict: Verdict) {
  return VERDICT_LOOK[verdict];
}
