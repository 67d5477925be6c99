import type { Verdict } from "@/server/core/analysis/triggers";
import { ZWireEvaluations, ZWireVerdict, type WireEvaluation, type WireRule, type WireSequential } from "@/server/contracts/analysis-wire";
import type { BadgeTone } from "@/components/ui/badge";

/** One trigger's evaluation as it reaches the browser (the wire schema both sides share). */
export type ShownSequential = WireSequential;
/** A hard rule's evaluation (CPU, memory, security signals). */
export type ShownRule = WireRule;
/** One trigger's evaluation, as the evidence panel shows it. */
export type ShownEvaluation = WireEvaluation;

/** An unknown verdict is never shown as a pass. */
export function parseVerdict(value: unknown): Verdict {
  return ZWireVerdict.parse(value);
}

/** Evaluations as stored or streamed, read with the shared wire schema; one that does not parse is left out. */
export function parseEvaluations(raw: unknown): ShownEvaluation[] {
  return ZWireEvaluations.parse(raw);
}

const TRIGGER_NAMES: Record<string, string> = {
  "error-rate": "Error rate",
  "error-rate-hold": "Error rate (hold level)",
  "latency-p95": "p95 latency",
  "latency-p95-hold": "p95 latency (hold level)",
  "latency-p99": "p99 latency",
  "business-metric": "Business metric",
  cpu: "CPU",
  memory: "Memory",
  security: "Security signals",
  feed: "Metric feed",
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
  error: { text: "analysis error", tone: "warning", icon: "!" },
};

/** Badge text, colour and icon for a verdict; the text carries the meaning. */
export function verdictLook(verdict: Verdict) {
  return VERDICT_LOOK[verdict];
}
