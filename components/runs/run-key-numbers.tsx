"use client";
import { isWatched, type PauseNote } from "@/server/core/run-summary";
import type { RunFlag, RunState } from "@/server/core/types";
import { verdictLook } from "@/components/analysis/verdict-look";
import { HoldCountdown } from "@/components/rollout/hold-countdown";
import { Badge } from "@/components/ui/badge";
import { formatLocal, formatUtc } from "@/components/ui/local-time";
import type { CachedRun } from "./run-queries";
import { formatDuration, phaseLabel } from "./labels";

const TERM = "text-xs font-medium uppercase tracking-wide text-slate-700";

/**
 * Who paused the run, when and why, from the pause decision the core writes ("Paused by Otto
 * On-call: incident in payments"); null unless the latest pause is the one in force.
 */
export function pauseNote(decisions: CachedRun["decisions"], inBrowser: boolean): PauseNote | null {
  const last = decisions.findLast((d) => d.verdict === "pause" || d.verdict === "resume");
  if (last?.verdict !== "pause") return null;
  const said = /^Paused by (.+?)(?:: ([\s\S]*))?$/.exec(last.reason);
  // The summary is rendered on the server too, which does not know the reader's time zone: there
  // (and while the page hydrates) the time is in UTC, then in the reader's zone.
  const at = inBrowser ? formatLocal(last.at) : formatUtc(last.at);
  return { by: said?.[1] ?? "someone", at, reason: said?.[2] ?? "" };
}

/** Where the run is: the rollout's step and its hold, or the phase before and after it. */
function StepCell({ state, clockOffsetMs }: { state: RunState; clockOffsetMs: number }) {
  const step = state.phase === "rollout" ? state.steps[state.stepIndex] : undefined;
  return (
    <div className="min-w-0">
      <dt className={TERM}>{step ? "Step" : "Phase"}</dt>
      {step ? (
        <dd data-testid="run-step" className="text-slate-900">
          <span className="font-semibold">
            {state.stepIndex + 1} of {state.steps.length}
          </span>{" "}
          · {state.params.flag ? `${state.params.flag.variant} for ${step.percent}% of users` : `${step.percent}% canary`}
          <span className="block text-slate-800">
            {state.status === "paused" ? (
              `Paused — ${formatDuration(state.pausedRemainingMs ?? 0)} left`
            ) : state.status === "rolling_back" ? (
              "Rolling back"
            ) : state.holdEndsAt !== null ? (
              <HoldCountdown holdEndsAt={state.holdEndsAt} clockOffsetMs={clockOffsetMs} />
            ) : (
              `Waiting for traffic to reach ${step.percent}%`
            )}
          </span>
        </dd>
      ) : (
        <dd className="font-semibold text-slate-900">{phaseLabel(state.phase)}</dd>
      )}
    </div>
  );
}

/** Baseline against canary, as numbers (the bar repeats them for the eye); a flag run's are users on each variant. */
function SplitCell({ canaryPercent, flag }: { canaryPercent: number; flag: RunFlag | null }) {
  const canary = Math.min(100, Math.max(0, canaryPercent));
  return (
    <div className="min-w-0">
      <dt className={TERM}>{flag ? "Users" : "Traffic"}</dt>
      <dd data-testid="run-split" className="text-slate-900">
        {flag ? flag.baselineVariant : "baseline"} <span className="font-semibold">{100 - canary}%</span> · {flag ? flag.variant : "canary"} <span className="font-semibold">{canary}%</span>
        <span aria-hidden="true" className="mt-1 flex h-2 w-full overflow-hidden rounded-full bg-slate-200">
          <span className="bg-slate-500" style={{ width: `${100 - canary}%` }} />
          <span className="bg-blue-700" style={{ width: `${canary}%` }} />
        </span>
      </dd>
    </div>
  );
}

/** The analysis's latest word, in words, with the sentence that carries its numbers. */
function VerdictCell({ state }: { state: RunState }) {
  const watched = isWatched(state);
  const analysis = state.analysis ?? null;
  const look = analysis ? verdictLook(analysis.verdict) : null;
  return (
    <div className="col-span-2 min-w-0 md:col-span-1">
      <dt className={TERM}>Verdict</dt>
      <dd data-testid="run-verdict" className="text-slate-900">
        {!watched ? (
          `No automated analysis: the ${state.params.router} router has no metric source`
        ) : analysis && look ? (
          <>
            <Badge tone={look.tone} icon={look.icon}>
              {look.text}
            </Badge>{" "}
            <a href="#live-metrics" className="line-clamp-2 rounded-sm text-slate-800 hover:underline">
              {analysis.summary}
            </a>
          </>
        ) : state.stepIndex < 0 ? (
          "The analysis starts with the rollout"
        ) : (
          "No evaluation yet"
        )}
      </dd>
    </div>
  );
}

/** The summary's numbers: step and hold, traffic split, verdict (cells of the summary's list). */
export function RunKeyNumbers({ state, clockOffsetMs }: { state: RunState; clockOffsetMs: number }) {
  return (
    <>
      <StepCell state={state} clockOffsetMs={clockOffsetMs} />
      <SplitCell canaryPercent={state.canaryPercent} flag={state.params.flag ?? null} />
      <VerdictCell state={state} />
    </>
  );
}
