"use client";
import dynamic from "next/dynamic";
import type { RunState } from "@/server/core/types";
import { AnalysisWaitPanel } from "@/components/analysis/analysis-wait-panel";
import { useSessionUser } from "@/components/auth/session-context";
import { Card } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { WeightPanel } from "./weight-panel";

// The gate's panels (policy, blockers, approvals) matter before the rollout only: not in the first load of a run under way.
const ApprovalPanel = dynamic(() => import("./approval-panel").then((m) => m.ApprovalPanel), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading the approval gate…" />,
});
const WaiverPanel = dynamic(() => import("./waiver-panel").then((m) => m.WaiverPanel), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading the blockers…" />,
});

/** The gate in play: the approval gate before rollout, verification after it. */
export function openGate(state: RunState) {
  return state.phase === "post_deploy" ? state.verification : state.gate;
}

/**
 * The controls for what the run is waiting on a person for, right under the summary (which says
 * it in one line). Rendered only while the run waits; a viewer reads what it waits for, with no buttons.
 */
export function WhatNeedsYou({ runId, state }: { runId: string; state: RunState }) {
  const viewer = useSessionUser().role === "viewer";
  const waiting = state.waitingFor;
  if (!waiting) return null;
  return (
    <Card title={viewer ? "What the run is waiting for" : "What needs you"} id="needs-you" className="border-amber-400 ring-1 ring-amber-300">
      {waiting === "waiver" ? (
        <WaiverPanel runId={runId} gate={openGate(state)} policy={state.policy} />
      ) : waiting === "approval" ? (
        <ApprovalPanel runId={runId} state={state} />
      ) : waiting === "weight_confirmation" ? (
        <WeightPanel runId={runId} state={state} />
      ) : (
        <AnalysisWaitPanel runId={runId} state={state} />
      )}
    </Card>
  );
}
