import { PHASES, type Phase, type RunState } from "@/server/core/types";
import { humanize, phaseLabel } from "./labels";

type Mark = { text: string; icon: string; className: string };

const MARKS = {
  done: { text: "completed", icon: "✓", className: "border-green-700 bg-green-700 text-white" },
  current: { text: "in progress", icon: "▶", className: "border-blue-700 bg-blue-700 text-white" },
  blocked: { text: "blocked — needs a person", icon: "!", className: "border-amber-600 bg-amber-100 text-amber-900" },
  paused: { text: "paused", icon: "❚❚", className: "border-amber-600 bg-amber-100 text-amber-900" },
  stopped: { text: "stopped here", icon: "✕", className: "border-red-700 bg-red-700 text-white" },
  upcoming: { text: "not started", icon: "○", className: "border-slate-400 bg-white text-slate-700" },
  skipped: { text: "skipped", icon: "–", className: "border-slate-300 bg-slate-100 text-slate-700" },
} satisfies Record<string, Mark>;

/** The furthest phase a finished run reached (state.phase is "done" by then). */
function reachedPhase(state: RunState): Phase {
  if (state.agents.some((a) => a.phase === "post_deploy" && a.status !== "pending")) return "post_deploy";
  if (state.stepIndex >= 0) return "rollout";
  if (state.gate.status !== "waiting") return "approval";
  if (state.agents.some((a) => a.phase === "build" && a.status !== "pending")) return "build";
  return "pre_deploy";
}

function markFor(state: RunState, phase: Phase, index: number): Mark {
  const ended = state.status === "rolled_back" || state.status === "failed" || state.status === "aborted";
  if (state.status === "succeeded") return MARKS.done;
  const current = ended || state.status === "rolling_back" ? reachedPhase(state) : state.phase;
  const currentIndex = PHASES.indexOf(current);
  if (phase === "done") return ended ? { ...MARKS.stopped, text: `ended — ${humanize(state.status)}` } : MARKS.upcoming;
  if (index < currentIndex) return MARKS.done;
  if (index > currentIndex) return ended ? MARKS.skipped : MARKS.upcoming;
  if (ended || state.status === "rolling_back") return MARKS.stopped;
  if (state.status === "paused") return MARKS.paused;
  if (state.waitingFor === "waiver") return MARKS.blocked;
  return MARKS.current;
}

/** The procedure's phases with where this run is; each state has an icon and words, not colour only. */
export function PhaseTimeline({ state }: { state: RunState }) {
  return (
    <div>
      <ol className="grid gap-2 sm:grid-cols-7">
        {PHASES.map((phase, i) => {
          const mark = markFor(state, phase, i);
          const isCurrent = [MARKS.current, MARKS.blocked, MARKS.paused].includes(mark);
          return (
            <li key={phase} aria-current={isCurrent ? "step" : undefined} className="flex items-center gap-2 sm:flex-col sm:items-start">
              <span aria-hidden="true" className={`flex h-7 w-7 shrink-0 items-center justify-center rounded-full border-2 text-sm font-bold ${mark.className}`}>
                {mark.icon}
              </span>
              <span className="text-sm leading-tight">
                <span className="block font-medium text-slate-900">{phaseLabel(phase)}</span>
                <span className="block text-xs text-slate-700">{mark.text}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
