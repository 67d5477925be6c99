import type { RunState } from "@/server/core/types";
import { count, duration, percent } from "@/server/core/analysis/format";
import type { AnalysisRecord } from "@/components/charts/metrics-cache";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { triggerName, verdictLook, type ShownEvaluation } from "./evaluations";
import { EvidenceRow } from "./evidence-row";

/** Canary requests still needed, preferring the stored figure (live events do not carry it). */
function requestsNeeded(state: RunState, analysis: AnalysisRecord): number | null {
  if (analysis.requestsNeeded !== null) return analysis.requestsNeeded;
  return analysis.stepIndex === state.stepIndex ? (state.analysis?.requestsNeeded ?? null) : null;
}

function neededText(needed: number | null, msNeeded: number | null): string | null {
  if (needed === null || needed === 0) return null;
  if (needed < 0) return "Health cannot be shown at the canary's current error rate, or the baseline has no data yet.";
  const wait = msNeeded ? `, about ${duration(msNeeded)} at the current rate` : "";
  return `Needs ${count(needed)} more canary request${needed === 1 ? "" : "s"}${wait} before this step can be promoted.`;
}

/** α per run and how this step's share is split across its rollback tests (STATISTICS.md). */
function alphaText(state: RunState, evaluations: ShownEvaluation[]): string | null {
  const run = state.params.analysis?.alpha;
  const tests = evaluations.filter((e) => e.method === "e-process" && e.level === "rollback" && e.alpha !== null);
  if (run === undefined || tests.length === 0) return null;
  const shares = tests.map((e) => `${triggerName(e.trigger)} ${percent(e.method === "e-process" ? (e.alpha ?? 0) : 0)}`).join(", ");
  return `False-rollback budget α = ${percent(run)} per run, split across steps and triggers; this step: ${shares}. Hold levels have a budget of their own; a promotion is wrong with probability at most the same shares.`;
}

/**
 * The analysis's latest word on the canary: the overall verdict with its sentence, then one row
 * per trigger with its numbers and evidence meter (STATISTICS.md "Show the evidence").
 */
export function EvidencePanel({ state, analysis }: { state: RunState; analysis: AnalysisRecord | null }) {
  if (!analysis) {
    return (
      <section aria-labelledby="evidence-title" className="space-y-2">
        <h3 id="evidence-title" className="text-base font-semibold text-slate-900">
          Evidence
        </h3>
        <p className="text-sm text-slate-700">No evaluation yet: the analysis starts once the canary&apos;s weight is applied and it serves requests.</p>
      </section>
    );
  }
  const look = verdictLook(analysis.verdict);
  const current = analysis.stepIndex === state.stepIndex ? (state.analysis ?? null) : null;
  const needed = analysis.verdict === "insufficient" ? neededText(requestsNeeded(state, analysis), current?.msNeeded ?? null) : null;
  const alpha = alphaText(state, analysis.evaluations);
  const decidedTrigger = state.rollback?.trigger ?? state.analysis?.decidedBy?.trigger ?? null;
  const earlierStep = analysis.stepIndex !== state.stepIndex;
  const stepLabel = state.steps[analysis.stepIndex]?.label ?? `step ${analysis.stepIndex + 1}`;
  return (
    <section aria-labelledby="evidence-title" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="evidence-title" className="text-base font-semibold text-slate-900">
          Evidence
        </h3>
        <p className="text-xs text-slate-700">
          Evaluated <LocalTime value={analysis.at} /> · {stepLabel}
          {earlierStep ? " (an earlier step)" : ""}
        </p>
      </div>
      <div className="space-y-1 rounded-md border border-slate-300 bg-slate-50 p-3">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
          Overall:
          <Badge tone={look.tone} icon={look.icon}>
            {look.text}
          </Badge>
        </p>
        <p className="text-sm text-slate-800">{analysis.summary}</p>
        {needed ? <p className="text-sm font-medium text-slate-900">{needed}</p> : null}
        {alpha ? <p className="text-xs text-slate-700">{alpha}</p> : null}
      </div>
      {analysis.evaluations.length > 0 ? (
        <ul className="grid gap-3 lg:grid-cols-2">
          {analysis.evaluations.map((e) => (
            <EvidenceRow key={e.trigger} evaluation={e} decided={e.trigger === decidedTrigger && (e.verdict === "rollback" || e.verdict === "hold")} />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-700">This evaluation lists no triggers.</p>
      )}
    </section>
  );
}
