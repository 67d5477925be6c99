"use client";
import { useState } from "react";
import { count, duration } from "@/server/core/analysis/format";
import { whoMay } from "@/server/core/run-summary";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { StepPromoteDialog } from "@/components/rollout/step-promote-dialog";
import { Button } from "@/components/ui/button";

function headline(state: RunState): string {
  const a = state.analysis ?? null;
  if (state.waitingFor === "analysis") {
    return `The analysis asks a human: ${a?.decidedBy?.message ?? a?.summary ?? "a trigger reached its hold level"}`;
  }
  if (!a) return "Insufficient evidence: the hold is over but no canary traffic has been observed yet";
  if (a.requestsNeeded < 0) return "Insufficient evidence: the hold is over but the canary's minimum sample cannot be sized yet (no baseline data)";
  if (a.requestsNeeded === 0) return `Insufficient evidence: the hold is over but a test cannot conclude yet — ${a.summary}`;
  const wait = a.msNeeded ? ` (about ${duration(a.msNeeded)} at its current rate)` : "";
  return `Insufficient evidence of health: the hold is over but the canary needs ${count(a.requestsNeeded)} more request${a.requestsNeeded === 1 ? "" : "s"}${wait}`;
}

/** What happens next, with instructions only for what this reader may do (issue 11). */
function explanation(evidence: boolean, canPromote: boolean, canRollBack: boolean): string {
  const rule = evidence
    ? "No data is never health: the step stays at its weight and promotes itself once every trigger's upper confidence bound is below its threshold."
    : "Nothing moves until someone decides. The evidence panel under Live metrics shows every trigger's numbers.";
  if (canPromote) return `${rule} You may promote the step now (your reason is recorded), or roll back with the button at the top of the page.`;
  if (canRollBack) return `${rule} You may roll back with the button at the top of the page; ${whoMay("run.promote")} can promote the step.`;
  return `${rule} ${whoMay("run.promote", { capital: true })} can promote the step or roll back.`;
}

/**
 * The step's hold is over and the analysis cannot promote it on its own: not enough canary
 * traffic to judge ("evidence"), or a trigger's hold level asks for a person ("analysis").
 * Waiting is always safe; promoting anyway is a person's recorded decision.
 */
export function AnalysisWaitPanel({ runId, state }: { runId: string; state: RunState }) {
  const canPromote = useCan("run.promote");
  const canRollBack = useCan("run.rollback");
  const [dialog, setDialog] = useState(false);
  const evidence = state.waitingFor === "evidence";
  return (
    <div className="space-y-3">
      <p className="text-base font-medium text-slate-900">{headline(state)}</p>
      <p className="text-sm text-slate-700">{explanation(evidence, canPromote, canRollBack)}</p>
      {/* Roll back is the summary's button, always in view: one Roll back per page. */}
      {canPromote ? (
        <Button variant={evidence ? "secondary" : "primary"} onClick={() => setDialog(true)}>
          <span aria-hidden="true">»</span> Promote
        </Button>
      ) : null}
      <StepPromoteDialog runId={runId} open={dialog} onClose={() => setDialog(false)} />
    </div>
  );
}
