import type { RunState } from "@/server/core/types";
import { count } from "@/server/core/analysis/format";
import type { AnalysisRecord } from "@/components/charts/metrics-cache";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { verdictLook } from "./evaluations";
import { EvidenceRow } from "./evidence-row";

/** Canary requests still needed, preferring the stored figure (live events do not carry it). */
function requestsNeeded(state: RunState, analysis: AnalysisRecord): number | null {
  if (analysis.requestsNeeded !== null) return analysis.requestsNeeded;
  return analysis.stepIndex === state.stepIndex ? (state.analysis?.requestsNeeded ?? null) : null;
}

function neededText(needed: number | null): string | null {
  if (needed === null || needed === 0) return null;
  if (needed < 0) return "The minimum sample cannot be sized yet: the baseline has no data.";
  return `${count(needed)} more canary request${needed === 1 ? "" : "s"} needed before this step can be promoted.`;
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
  const needed = analysis.verdict === "insufficient" ? neededText(requestsNeeded(state, analysis)) : null;
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
