"use client";
import dynamic from "next/dynamic";
import { useCallback } from "react";
import { TERMINAL_STATUSES } from "@/server/core/types";
import type { NotificationEvent } from "@/server/realtime/event-map";
import { LiveMetrics } from "@/components/analysis/live-metrics";
import { QueryError } from "@/components/query/query-error";
import { useRunEvents } from "@/components/realtime/use-run-events";
import { StepTracker } from "@/components/rollout/step-tracker";
import { Card } from "@/components/ui/card";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { EmergencyContacts } from "./emergency-contacts";
import { PhaseTimeline } from "./phase-timeline";
import { RollbackProcedure } from "./rollback-procedure";
import { RunAbortSection } from "./run-abort-section";
import { RunAbout } from "./run-about";
import { RunFeedbackProvider, useRunFeedback } from "./run-feedback";
import { RunHeader } from "./run-header";
import { RunSectionNav, type RunSection } from "./run-section-nav";
import { SuccessCriteria } from "./success-criteria";
import { useRun, type CachedRun } from "./run-queries";
import { WhatNeedsYou } from "./what-needs-you";

// Below the fold, each loads on its own once the run is on screen: the run page's first load
// stays within its 200 KB budget (issue 11), and the summary never waits for them.
// (Next wants each options object written out literally.)
const ChecksSection = dynamic(() => import("@/components/agents/agents-section").then((m) => m.ChecksSection), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading checks…" />,
});
const FaultInjectionPanel = dynamic(() => import("@/components/demo/fault-injection-panel").then((m) => m.FaultInjectionPanel), { ssr: false });
const RunWhatIfPanel = dynamic(() => import("@/components/what-if/run-what-if-panel").then((m) => m.RunWhatIfPanel), { ssr: false });
const DecisionsList = dynamic(() => import("./decisions-list").then((m) => m.DecisionsList), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading decisions…" />,
});
const RunAuditList = dynamic(() => import("./run-audit-list").then((m) => m.RunAuditList), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading the audit trail…" />,
});

/** The page's sections in page order, for its navigation: only those the page shows for this run. */
function sectionsOf(view: CachedRun): RunSection[] {
  const { state } = view;
  const whatIf = state.params.router !== "manual" && Boolean(state.params.analysis) && TERMINAL_STATUSES.includes(state.status);
  return [
    { id: "live-metrics", label: "Metrics" },
    { id: "rollout", label: "Rollout" },
    ...(state.rollback ? [{ id: "rollback", label: "Rollback" }] : view.emergencyContacts ? [{ id: "emergency-contacts", label: "Contacts" }] : []),
    { id: "success-criteria", label: "Criteria" },
    { id: "phases", label: "Phases" },
    ...(state.agents.length > 0 ? [{ id: "checks", label: "Checks" }] : []),
    ...(whatIf ? [{ id: "what-if", label: "What if" }] : []),
    { id: "decisions", label: "Decisions" },
    { id: "audit", label: "Audit" },
    { id: "about", label: "About" },
  ];
}

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
    // Anchored sections stop below the sticky summary (the whole summary on a desktop, its first line on a phone).
    <div className="space-y-5 [&_[id]]:scroll-mt-20 md:[&_[id]]:scroll-mt-64">
      {run.isError ? <QueryError error={run.error} onRetry={() => void run.refetch()} stale /> : null}
      {/* Read in seconds: state, key numbers, what is needed and Roll back; then the charts and the verdict; then the details. */}
      <RunHeader run={view}>
        <RunSectionNav sections={sectionsOf(view)} />
      </RunHeader>
      {/* The controls for what the summary says the run needs, right under it. */}
      {state.waitingFor ? <WhatNeedsYou runId={view.id} state={state} /> : null}
      <RunAbortSection runId={view.id} state={state} />
      <LiveMetrics run={view} />
      <StepTracker runId={view.id} state={state} clockOffsetMs={view.clockOffsetMs} />
      {/* Who to call sits with the rollback when there is one, otherwise just under the rollout's steps. */}
      {state.rollback ? (
        <RollbackProcedure rollback={state.rollback} contacts={view.emergencyContacts} />
      ) : view.emergencyContacts ? (
        <EmergencyContacts contacts={view.emergencyContacts} />
      ) : null}
      <FaultInjectionPanel runId={view.id} state={state} />
      <SuccessCriteria runId={view.id} criteria={view.criteria} />
      <Card title="Phases" id="phases">
        <PhaseTimeline state={state} />
      </Card>
      <ChecksSection state={state} tasks={view.tasks} />
      <RunWhatIfPanel runId={view.id} status={state.status} config={state.params.router === "manual" ? null : state.params.analysis} />
      {/* One above the other, full width: side by side they would share a top, and the section links could not tell them apart. */}
      <DecisionsList decisions={view.decisions} />
      <RunAuditList audit={view.audit} />
      <RunAbout run={view} />
    </div>
  );
}
