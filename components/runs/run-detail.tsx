"use client";
import { useCallback } from "react";
import type { NotificationEvent } from "@/server/realtime/event-map";
import { AgentsSection, CHECK_PHASES } from "@/components/agents/agents-section";
import { LiveMetrics } from "@/components/analysis/live-metrics";
import { FaultInjectionPanel } from "@/components/demo/fault-injection-panel";
import { QueryError } from "@/components/query/query-error";
import { useRunEvents } from "@/components/realtime/use-run-events";
import { StepTracker } from "@/components/rollout/step-tracker";
import { Card } from "@/components/ui/card";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { RunWhatIfPanel } from "@/components/what-if/run-what-if-panel";
import { DecisionsList } from "./decisions-list";
import { EmergencyContacts } from "./emergency-contacts";
import { PhaseTimeline } from "./phase-timeline";
import { RollbackProcedure } from "./rollback-procedure";
import { RunAbortSection } from "./run-abort-section";
import { RunAuditList } from "./run-audit-list";
import { RunFeedbackProvider, useRunFeedback } from "./run-feedback";
import { RunHeader } from "./run-header";
import { SuccessCriteria } from "./success-criteria";
import { useRun } from "./run-queries";
import { WhatNeedsYou } from "./what-needs-you";

/** The run page: everything about one run, live. */
export function RunDetail({ runId }: { runId: string }) {
  // The same query as the body's (React Query shares it): messages from before a change of state go.
  const state = useRun(runId).data?.state;
  const stateKey = state ? [state.status, state.phase, state.stepIndex, state.stepPhase, state.canaryPercent, state.rollback ? "rollback" : "", state.finishedAt ?? ""].join("|") : "";
  return (
    <RunFeedbackProvider stateKey={stateKey} status={state?.status ?? null}>
      <RunDetailBody runId={runId} />
    </RunFeedbackProvider>
  );
}

function RunDetailBody({ runId }: { runId: string }) {
  const run = useRun(runId);
  const report = useRunFeedback();
  const onNotification = useCallback(
    (e: NotificationEvent) => report(e.message, e.severity, e.forStatus),
    [report],
  );
  useRunEvents(runId, onNotification);

  if (run.isPending) {
    return (
      <div className="space-y-4">
        <Skeleton className="h-8 w-40" />
        <SkeletonRows rows={5} label="Loading run…" />
      </div>
    );
  }
  if (!run.data) {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold text-slate-900">Run</h1>
        <QueryError error={run.error} onRetry={() => void run.refetch()} />
      </div>
    );
  }
  const view = run.data;
  const { state } = view;
  return (
    <div className="space-y-5">
      {run.isError ? <QueryError error={run.error} onRetry={() => void run.refetch()} stale /> : null}
      <RunHeader run={view} />
      {/* What a person must do comes right under the header: on a phone it is the first thing seen. */}
      <WhatNeedsYou runId={view.id} state={state} />
      <Card title="Phases" id="phases">
        <PhaseTimeline state={state} />
      </Card>
      <SuccessCriteria runId={view.id} criteria={view.criteria} />
      {/* Who to call sits with the rollback when there is one, otherwise just above the rollout's steps. */}
      {state.rollback ? (
        <RollbackProcedure rollback={state.rollback} contacts={view.emergencyContacts} />
      ) : view.emergencyContacts ? (
        <EmergencyContacts contacts={view.emergencyContacts} />
      ) : null}
      <StepTracker runId={view.id} state={state} clockOffsetMs={view.clockOffsetMs} />
      <LiveMetrics run={view} />
      <RunWhatIfPanel runId={view.id} status={state.status} config={state.params.router === "manual" ? null : state.params.analysis} />
      <FaultInjectionPanel runId={view.id} state={state} />
      {CHECK_PHASES.map((phase) => (
        <AgentsSection key={phase} phase={phase} state={state} tasks={view.tasks} />
      ))}
      <div className="grid gap-5 lg:grid-cols-2">
        <DecisionsList decisions={view.decisions} />
        <RunAuditList audit={view.audit} />
      </div>
      <RunAbortSection runId={view.id} state={state} />
    </div>
  );
}
