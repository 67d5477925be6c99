import type { Verdict } from "@/server/core/analysis/triggers";
import type { BadgeTone } from "@/components/ui/badge";

// Words for triggers and verdicts, apart from the wire schemas (evaluations.ts): the run page's
// summary shows the verdict without loading zod in its first load.

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
