"use client";
import { isWatched } from "@/server/core/run-summary";
import dynamic from "next/dynamic";
import { memo, Suspense, useCallback, useDeferredValue, useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
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

/**
 * Once the page has loaded (what loads before counts against the first-load budget), and not
 * later: the sections' chunk, the charts' code and the metric history are then asked for at once,
 * in parallel, instead of one after the other as each part mounts and asks for the next.
 */
function afterLoad(load: () => void): () => void {
  if (document.readyState === "complete") {
    const timer = setTimeout(load, 0);
    return () => clearTimeout(timer);
  }
  window.addEventListener("load", load, { once: true });
  return () => window.removeEventListener("load", load);
}

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

function RunDetailBody({ runId }: { runId: string }) {
  const run = useRun(runId);
  // The run arrives with the page and the server renders it: the summary is in the HTML, read
  // before any JavaScript has run. What depends on the reader's clock or time zone (a hold's
  // countdown, local times) is written so that the server's render and the browser's first one
  // agree (UTC until hydrated), then corrected.
  // Each change the socket brings updates the cache, whose update renders synchronously (React
  // Query reads its cache through a store): the page is drawn from a deferred copy of the run, so
  // that render only finds the memoised body unchanged and the redraw is sliced and interruptible.
  const deferred = useDeferredValue(run.data);
  const report = useRunFeedback();
  const onNotification = useCallback(
    (e: NotificationEvent) => report(e.message, e.severity, e.forStatus),
    [report],
  );
  useRunEvents(runId, onNotification);
  const qc = useQueryClient();
  useEffect(
    () =>
      afterLoad(() => {
        void import("./run-sections");
        void import("@/components/charts/run-charts");
        void import("@/components/charts/use-run-metrics").then((m) => m.prefetchRunMetrics(qc, runId));
      }),
    [qc, runId],
  );

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
  return (
    // Anchored sections stop below the sticky summary (the whole summary on a desktop, its first line on a phone).
    <div className="space-y-5 [&_[id]]:scroll-mt-[calc(var(--run-summary-h,5rem)+0.75rem)]">
      {run.isError ? <QueryError error={run.error} onRetry={() => void run.refetch()} stale /> : null}
      {/* A boundary of its own: React hydrates server-rendered content inside one later, in slices
          it can interrupt, instead of in the one task that hydrates the page around it (a task of
          150–450 ms as the run page loaded). Nothing in it suspends: there is no fallback. */}
      <Suspense>
        <RunBody view={deferred ?? run.data} />
      </Suspense>
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
