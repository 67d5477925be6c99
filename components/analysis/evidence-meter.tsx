import type { Verdict } from "@/server/core/analysis/triggers";

const FILL: Record<Verdict, string> = {
  rollback: "bg-red-700",
  hold: "bg-amber-600",
  error: "bg-amber-700",
  pass: "bg-slate-600",
  insufficient: "bg-blue-700",
};

/**
 * How far a trigger is from firing: the bar fills as the evidence grows towards what it needs
 * (log E against log 1/α, or a count against its limit). A meter, not a progress bar: it is a
 * level that can fall again. The text always says the numbers.
 */
export function EvidenceMeter({
  labelledBy,
  value,
  max,
  text,
  verdict,
}: {
  /** id of the trigger's name */
  labelledBy: string;
  /** the current level; may be below 0 (evidence for the canary) or above max (fired) */
  value: number;
  max: number;
  /** e.g. "evidence 3.2e4 of 400 needed" */
  text: string;
  verdict: Verdict;
}) {
  const clamped = Math.min(max, Math.max(0, value));
  const fraction = max > 0 ? clamped / max : 0;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
      <div
        role="meter"
        aria-labelledby={labelledBy}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={clamped}
        aria-valuetext={text}
        className="h-2.5 w-40 overflow-hidden rounded-full bg-slate-200 ring-1 ring-inset ring-slate-300"
      >
        <div className={`h-full ${FILL[verdict]}`} style={{ width: `${Math.round(fraction * 100)}%` }} />
      </div>
      <span className="text-xs tabular-nums text-slate-800">{text}</span>
    </div>
  );
}
