"use client";
import { isWatched } from "@/server/core/run-summary";
import dynamic from "next/dynamic";
import { memo, useCallback, useDeferredValue, useSyncExternalStore } from "react";
import type { RunView } from "@/server/contracts/runs-api";
import { TERMINAL_STATUSES } from "@/server/core/types";
import type { NotificationEvent } from "@/server/realtime/event-map";
import { QueryError } from "@/components/query/query-error";
import { useRunEvents } from "@/components/realtime/use-run-events";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { RunAbortSection } from "./run-abort-section";
import { RunFeedbackProvider, useRunFeedback } from "./run-feedback";
import { RunHeader } from "./run-header";
import { RunSectionNav, type RunSection } from "./run-section-nav";
import { useRun, type CachedRun } from "./run-queries";
import { WhatNeedsYou } from "./what-needs-you";
import { RegionPanel } from "@/components/regions/region-panel";

// The first load is the summary and what the run needs (the 200 KB budget of issue 11): the
// charts, the evidence and the details under them load as one chunk once the run is on screen.
const RunSections = dynamic(() => import("./run-sections"), {
  ssr: false,
  loading: () => <SkeletonRows rows={4} label="Loading the run's charts and details…" />,
});

/** The page's sections in page order, for its navigation: only those the page shows for this run. */
function sectionsOf(view: CachedRun): RunSection[] {
  const { state } = view;
  const whatIf = isWatched(state) && TERMINAL_STATUSES.includes(state.status);
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
export function RunDetail({ runId, initial }: { runId: string; initial?: RunView }) {
  // The same query as the body's (React Query shares it): messages from before a change of state go.
  const state = useRun(runId, initial).data?.state;
  const stateKey = state ? [state.status, state.phase, state.stepIndex, state.stepPhase, state.canaryPercent, state.rollback ? "rollback" : "", state.finishedAt ?? ""].join("|") : "";
  return (
    <RunFeedbackProvider stateKey={stateKey} status={state?.status ?? null}>
      <RunDetailBody runId={runId} />
    </RunFeedbackProvider>
  );
}

const noSubscription = () => () => {};

function RunDetailBody({ runId }: { runId: string }) {
  const run = useRun(runId);
  // The run arrives with the page, but what it says depends on the reader's clock and time zone
  // (a hold's countdown, local times): the server renders the loading state and the browser draws
  // the run in its first render after hydration, so the two never disagree.
  // Deferred: the store's flip re-renders at once and synchronously — the whole run page in one
  // task of 200–900 ms (Lighthouse's total blocking time). As a deferred render React draws the
  // page in slices of a few milliseconds and the browser stays responsive meanwhile.
  const hydrated = useDeferredValue(useSyncExternalStore(noSubscription, () => true, () => false), false);
  // Likewise for each change the socket brings: the cache's update renders synchronously (React
  // Query reads its cache through a store), so the page is drawn from a deferred copy of the run
  // and that synchronous render only finds the memoised body unchanged.
  const deferred = useDeferredValue(run.data);
  const report = useRunFeedback();
  const onNotification = useCallback(
    (e: NotificationEvent) => report(e.message, e.severity, e.forStatus),
    [report],
  );
  useRunEvents(runId, onNotification);

  if (run.isPending || !hydrated) {
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
  return (
    // Anchored sections stop below the sticky summary (the whole summary on a desktop, its first line on a phone).
    <div className="space-y-5 [&_[id]]:scroll-mt-[calc(var(--run-summary-h,5rem)+0.75rem)]">
      {run.isError ? <QueryError error={run.error} onRetry={() => void run.refetch()} stale /> : null}
      <RunBody view={deferred ?? run.data} />
    </div>
  );
}

/** The run itself; redrawn only for a new view of the run (memo), never for a render of the page around it. */
const RunBody = memo(function RunBody({ view }: { view: CachedRun }) {
  const { state } = view;
  return (
    <>
      {/* Read in seconds: state, key numbers, what is needed and Roll back; then the charts and the verdict; then the details. */}
      <RunHeader run={view}>
        <RunSectionNav sections={sectionsOf(view)} />
      </RunHeader>
      {/* The controls for what the summary says the run needs, right under it. */}
      {state.waitingFor ? <WhatNeedsYou runId={view.id} state={state} /> : null}
      <RunAbortSection runId={view.id} state={state} />
      <RegionPanel state={state} />
      {/* Everything under the summary loads on its own (one chunk, after the run is on screen). */}
      <RunSections run={view} />
    </>
  );
});
