"use client";
import { useState } from "react";
import { count, duration } from "@/server/core/analysis/format";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { StepPromoteDialog } from "@/components/rollout/step-promote-dialog";
import { RollbackDialog } from "@/components/runs/rollback-dialog";
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

/**
 * The step's hold is over and the analysis cannot promote it on its own: not enough canary
 * traffic to judge ("evidence"), or a trigger's hold level asks for a person ("analysis").
 * Waiting is always safe; promoting anyway is a person's recorded decision.
 */
export function AnalysisWaitPanel({ runId, state }: { runId: string; state: RunState }) {
  const canPromote = useCan("run.promote");
  const canRollBack = useCan("run.rollback");
  const [dialog, setDialog] = useState<"promote" | "rollback" | null>(null);
  const evidence = state.waitingFor === "evidence";
  return (
    <div className="space-y-3">
      <p className="text-base font-medium text-slate-900">{headline(state)}</p>
      <p className="text-sm text-slate-700">
        {evidence
          ? "No data is never health: the step stays at its weight and promotes itself once every trigger's upper confidence bound is below its threshold. You may promote it now (your reason is recorded) or roll back."
          : "Nothing moves until someone decides: promote the step (your reason is recorded) or roll back. The evidence panel under Live metrics shows every trigger's numbers."}
      </p>
      {canPromote || canRollBack ? (
        <div className="flex flex-wrap gap-2">
          {canPromote ? (
            <Button variant={evidence ? "secondary" : "primary"} onClick={() => setDialog("promote")}>
              <span aria-hidden="true">»</span> Promote
            </Button>
          ) : null}
          {canRollBack ? (
            <Button variant="danger" onClick={() => setDialog("rollback")}>
              <span aria-hidden="true">↩</span> Roll back
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="text-sm text-slate-700">Waiting for someone who may promote or roll back.</p>
      )}
      <StepPromoteDialog runId={runId} open={dialog === "promote"} onClose={() => setDialog(null)} />
      <RollbackDialog runId={runId} open={dialog === "rollback"} onClose={() => setDialog(null)} />
    </div>
  );
}
