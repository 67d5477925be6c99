import type { BadgeTone } from "@/components/ui/badge";
import type { CriterionStatus } from "@/server/core/success-criteria";

/** Status text as people say it: "rolled_back" → "rolled back". */
export function humanize(value: string): string {
  return value.replaceAll("_", " ");
}

export const PHASE_LABELS: Record<string, string> = {
  pre_deploy: "Pre-deploy",
  build: "Build & optimization",
  approval: "Approval gate",
  rollout: "Progressive rollout",
  post_deploy: "Post-deploy verification",
  record: "Release record",
  done: "Done",
};

export function phaseLabel(phase: string): string {
  return PHASE_LABELS[phase] ?? humanize(phase);
}

export const WAITING_LABELS: Record<string, string> = {
  waiver: "Waiver of blockers",
  approval: "Approval",
  weight_confirmation: "Traffic confirmation",
  evidence: "Insufficient evidence",
  analysis: "Analysis decision",
};

/** Colour and icon that repeat what the status text says (never colour alone). */
export function runStatusLook(status: string): { tone: BadgeTone; icon: string } {
  switch (status) {
    case "running":
      return { tone: "info", icon: "▶" };
    case "paused":
      return { tone: "warning", icon: "❚❚" };
    case "rolling_back":
      return { tone: "danger", icon: "↩" };
    case "succeeded":
      return { tone: "success", icon: "✓" };
    case "rolled_back":
      return { tone: "danger", icon: "↩" };
    case "failed":
      return { tone: "danger", icon: "✕" };
    case "aborted":
      return { tone: "neutral", icon: "■" };
    default:
      return { tone: "neutral", icon: "•" };
  }
}

/** Agent results: not_configured and error are visibly not passes. */
export function agentStatusLook(status: string): { tone: BadgeTone; icon: string } {
  switch (status) {
    case "passed":
      return { tone: "success", icon: "✓" };
    case "failed":
      return { tone: "danger", icon: "✕" };
    case "error":
      return { tone: "danger", icon: "!" };
    case "running":
      return { tone: "info", icon: "▶" };
    case "not_configured":
      return { tone: "muted", icon: "?" };
    case "cancelled":
      return { tone: "neutral", icon: "■" };
    default:
      return { tone: "neutral", icon: "…" };
  }
}

export function severityTone(severity: string): BadgeTone {
  if (severity === "critical" || severity === "high") return "danger";
  if (severity === "medium") return "warning";
  if (severity === "low") return "info";
  return "neutral";
}

/** "2 h 05 min", "4 min 05 s", "12 s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${s} s`;
}


/** A success criterion's state: met, failed, missing evidence, or not known yet. */
export function criterionLook(status: CriterionStatus): { tone: BadgeTone; icon: string; text: string } {
  switch (status) {
    case "met":
      return { tone: "success", icon: "✓", text: "met" };
    case "failed":
      return { tone: "danger", icon: "✕", text: "failed" };
    case "missing":
      return { tone: "warning", icon: "?", text: "no evidence" };
    case "pending":
      return { tone: "neutral", icon: "…", text: "pending" };
    default: {
      const never: never = status;
      return never;
    }
  }
}
