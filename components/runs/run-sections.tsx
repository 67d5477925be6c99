"use client";
import { isWatched } from "@/server/core/run-summary";
import dynamic from "next/dynamic";
import { memo } from "react";
import { LiveMetrics } from "@/components/analysis/live-metrics";
import { StepTracker } from "@/components/rollout/step-tracker";
import { Card } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmergencyContacts } from "./emergency-contacts";
import { PhaseTimeline } from "./phase-timeline";
import { RollbackProcedure } from "./rollback-procedure";
import { RunAbout } from "./run-about";
import type { CachedRun } from "./run-queries";
import { SuccessCriteria } from "./success-criteria";

// Far down the page, each of these loads on its own again. Memoised: the run's cache keeps the
// identity of what did not change (React Query's structural sharing), so a countdown or a log
// line does not redraw a thousand rows of checks, decisions and audit.
// (Next wants each options object written out literally.)
const ChecksSection = memo(dynamic(() => import("@/components/agents/agents-section").then((m) => m.ChecksSection), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading checks…" />,
}));
const FaultInjectionPanel = dynamic(() => import("@/components/demo/fault-injection-panel").then((m) => m.FaultInjectionPanel), { ssr: false });
const RunWhatIfPanel = dynamic(() => import("@/components/what-if/run-what-if-panel").then((m) => m.RunWhatIfPanel), { ssr: false });
const DecisionsList = memo(dynamic(() => import("./decisions-list").then((m) => m.DecisionsList), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading decisions…" />,
}));
const RunAuditList = memo(dynamic(() => import("./run-audit-list").then((m) => m.RunAuditList), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading the audit trail…" />,
}));

const Phases = memo(function Phases({ state }: { state: CachedRun["state"] }) {
  return (
    <Card title="Phases" id="phases">
      <PhaseTimeline state={state} />
    </Card>
  );
});

/**
 * The run page under its summary: the live charts and the verdict with its evidence, then the
 * details in the order the section links list them (run-detail.tsx sectionsOf). Loaded with
 * next/dynamic, out of the page's first load.
 */
export default function RunSections({ run: view }: { run: CachedRun }) {
  const { state } = view;
  return (
    <>
      <LiveMetrics run={view} />
      <StepTracker runId={view.id} state={state} clockOffsetMs={view.clockOffsetMs} />
      {/* Who to call sits with the rollback when there is one, otherwise just under the rollout's steps. */}
      {state.rollback ? (
        <RollbackProcedure rollback={state.rollback} contacts={view.emergencyContacts} />
      ) : view.emergencyContacts ? (
        <EmergencyContacts contacts={view.emergencyContacts} />
      ) : null}
      <FaultInjectionPanel runId={view.id} state={state} />
      {/* The details. (content-visibility: auto on them made axe misjudge the contrast of their text.) */}
      <div className="space-y-5">
        <SuccessCriteria runId={view.id} criteria={view.criteria} />
        <Phases state={state} />
        <ChecksSection state={state} tasks={view.tasks} />
        <RunWhatIfPanel runId={view.id} status={state.status} config={isWatched(state) ? state.params.analysis : null} />
        {/* One above the other, full width: side by side they would share a top, and the section links could not tell them apart. */}
        <DecisionsList decisions={view.decisions} />
        <RunAuditList audit={view.audit} />
        <RunAbout run={view} />
      </div>
    </>
  );
}
