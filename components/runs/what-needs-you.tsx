"use client";
import type { RunState } from "@/server/core/types";
import { AnalysisWaitPanel } from "@/components/analysis/analysis-wait-panel";
import { Card } from "@/components/ui/card";
import { ApprovalPanel } from "./approval-panel";
import { WaiverPanel } from "./waiver-panel";
import { WeightPanel } from "./weight-panel";

/** The gate in play: the approval gate before rollout, verification after it. */
export function openGate(state: RunState) {
  return state.phase === "post_deploy" ? state.verification : state.gate;
}

/** The one place that says what the run is waiting on a person for, with the buttons to do it. */
export function WhatNeedsYou({ runId, state }: { runId: string; state: RunState }) {
  const waiting = state.waitingFor;
  return (
    <Card title="What needs you" id="needs-you" className={waiting ? "border-amber-400 ring-1 ring-amber-300" : ""}>
      {waiting === "waiver" ? (
        <WaiverPanel runId={runId} gate={openGate(state)} policy={state.policy} />
      ) : waiting === "approval" ? (
        <ApprovalPanel runId={runId} state={state} />
      ) : waiting === "weight_confirmation" ? (
        <WeightPanel runId={runId} state={state} />
      ) : waiting === "evidence" || waiting === "analysis" ? (
        <AnalysisWaitPanel runId={runId} state={state} />
      ) : (
        <p className="text-sm text-slate-700">{idleText(state)}</p>
      )}
    </Card>
  );
}

function idleText(state: RunState): string {
  if (state.status === "succeeded") return "Nothing: the release is done.";
  if (state.status === "rolled_back" || state.status === "failed" || state.status === "aborted") return "Nothing: the run has ended.";
  if (state.status === "paused") return "The rollout is paused. Resume it when you are ready, or roll back.";
  if (state.status === "rolling_back") return "The rollback procedure is running; nothing needs you right now.";
  if (state.phase === "rollout" && !state.params.analysis) return "The canary is holding. No automated analysis watches it: keep an eye on your own dashboards.";
  if (state.phase === "rollout") return "The canary is holding while the analysis watches it. Nothing needs you right now.";
  return "Checks are running. Nothing needs you right now.";
}
