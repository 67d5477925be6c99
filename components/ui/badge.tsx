import type { ReactNode } from "react";

export type BadgeTone = "neutral" | "info" | "success" | "warning" | "danger" | "muted";

// Dark text on pale backgrounds: every pair stays above WCAG AA contrast.
const TONES: Record<BadgeTone, string> = {
  neutral: "bg-slate-100 text-slate-800 ring-slate-300",
  info: "bg-blue-50 text-blue-900 ring-blue-200",
  success: "bg-green-50 text-green-900 ring-green-200",
  warning: "bg-amber-50 text-amber-900 ring-amber-300",
  danger: "bg-red-50 text-red-900 ring-red-200",
  muted: "bg-white text-slate-700 ring-slate-300 border-dashed",
};

/** A small status label; the text always carries the meaning, colour only repeats it. */
export function Badge({ tone = "neutral", icon, children }: { tone?: BadgeTone; icon?: string; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {icon ? <span aria-hidden="true">{icon}</span> : null}
      {children}
    </span>
  );
}
