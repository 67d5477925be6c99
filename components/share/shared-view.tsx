"use client";
import { flagChange } from "@/server/core/flag-runs";
import { isWatched } from "@/server/core/run-summary";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { ZRunMetrics } from "@/server/contracts/runs-api";
import { ZSharedTarget, type SharedRun } from "@/server/contracts/share-api";
import { EvidencePanel } from "@/components/analysis/evidence-panel";
import { RollbackWhy } from "@/components/analysis/rollback-why";
import { markersWithin, rollingTotals, stepMarkers, toChartRows } from "@/components/charts/chart-rows";
import { latencyThresholds } from "@/components/charts/thresholds";
import { fromStoredAnalysis, fromStoredWindows } from "@/components/charts/metrics-cache";
import { ApiError, errorMessage, fetchJson } from "@/components/query/fetch-json";
import { StepTracker } from "@/components/rollout/step-tracker";
import { DecisionsList } from "@/components/runs/decisions-list";
import { humanize, phaseLabel } from "@/components/runs/labels";
import { PhaseTimeline } from "@/components/runs/phase-timeline";
import { RollbackProcedure } from "@/components/runs/rollback-procedure";
import { RunStatusBadge } from "@/components/runs/run-status-badge";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { SkeletonRows } from "@/components/ui/skeleton";

const RunCharts = dynamic(() => import("@/components/charts/run-charts"), { ssr: false, loading: () => <SkeletonRows rows={3} label="Loading charts…" /> });

/**
 * How often the shared page asks again. It has no socket (sockets belong to signed-in people), so
 * it polls: a stakeholder sees a step change within this, and a revoked link stops within it.
 */
const POLL_MS = 2_000;

const query = (token: string, runId: string | null) => (runId ? `?run=${encodeURIComponent(runId)}` : "");

/** The read-only page behind a share link: no controls, no configuration, no logs. */
export function SharedView({ token, runId }: { token: string; runId: string | null }) {
  const target = useQuery({
    queryKey: ["share", token, runId],
    queryFn: async ({ signal }) => {
      const answer = await fetchJson(`/api/share/${encodeURIComponent(token)}${query(token, runId)}`, ZSharedTarget, signal);
      // Hold countdowns run on the server's clock: how far this browser's is off, read on arrival.
      return { ...answer, clockOffsetMs: answer.run ? answer.run.serverNow - Date.now() : 0 };
    },
    refetchInterval: (q) => (q.state.error instanceof ApiError && (q.state.error.status === 410 || q.state.error.status === 404) ? false : POLL_MS),
    retry: (n, e) => !(e instanceof ApiError && (e.status === 410 || e.status === 404)) && n < 3,
  });
  const closed = target.error instanceof ApiError && (target.error.status === 410 || target.error.status === 404);
  if (closed) return <LinkClosed message={errorMessage(target.error)} />;
  if (!target.data) return target.isError ? <p role="alert" className="text-sm text-red-800">{errorMessage(target.error)}</p> : <SkeletonRows rows={5} label="Loading…" />;
  const data = target.data;
  return (
    <div className="space-y-5">
      {target.isError ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Not updating: {errorMessage(target.error)}
        </p>
      ) : null}
      {data.kind === "service" ? <ServiceReleases token={token} serviceName={data.serviceName} runs={data.runs} current={data.run?.id ?? null} /> : null}
      {data.run ? <SharedRunPanel token={token} run={data.run} byService={data.kind === "service"} clockOffsetMs={data.clockOffsetMs} /> : null}
      <p className="text-xs text-slate-600">
        Read-only link, valid until <LocalTime value={data.expiresAt} />. Updates every {POLL_MS / 1000} seconds.
      </p>
    </div>
  );
}

export function LinkClosed({ message }: { message: string }) {
  return (
    <div role="alert" className="rounded-md border border-slate-300 bg-white p-4">
      <h1 className="text-xl font-semibold text-slate-900">This link no longer opens anything</h1>
      <p className="mt-2 text-sm text-slate-700">{message}</p>
    </div>
  );
}

function ServiceReleases({ token, serviceName, runs, current }: { token: string; serviceName: string; runs: { id: string; number: number; environment: string; baselineVersion: string; targetVersion: string; status: string; createdAt: string }[]; current: string | null }) {
  return (
    <>
    <h1 className="text-2xl font-semibold text-slate-900">Releases of {serviceName}</h1>
    <Card title="Latest releases">
      {runs.length === 0 ? (
        <p className="text-sm text-slate-700">No releases yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {runs.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <Link href={`/share/${encodeURIComponent(token)}?run=${r.id}`} aria-current={r.id === current ? "page" : undefined} className="font-medium text-blue-800 underline">
                Run #{r.number}: {r.baselineVersion} → {r.targetVersion} ({r.environment})
              </Link>
              <span className="flex items-center gap-2 text-sm text-slate-700">
                <RunStatusBadge status={r.status} /> <LocalTime value={r.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
    </>
  );
}

function SharedRunPanel({ token, run, byService, clockOffsetMs }: { token: string; run: SharedRun; byService: boolean; clockOffsetMs: number }) {
  const { state } = run;
  const Heading = byService ? "h2" : "h1";
  return (
    <div className="space-y-5">
      <header className="space-y-2">
        <Heading className="text-2xl font-semibold text-slate-900">
          Run #{run.number}: {run.service.name} {state.params.flag ? flagChange(state.params.flag) : `${state.params.baselineVersion} → ${state.params.targetVersion}`}
        </Heading>
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <RunStatusBadge status={state.status} />
          <span>{humanize(run.environment)}</span>·<span>{phaseLabel(state.phase)}</span>·<span>{humanize(state.params.strategy)}</span>·
          <span>{state.params.flag ? `${state.params.flag.variant} for ${state.canaryPercent}% of users` : `${state.canaryPercent}% of traffic on the new version`}</span>
        </p>
        {state.outcome ? <p className="text-sm text-slate-800">{state.outcome}</p> : null}
      </header>
      <Card title="Phases">
        <PhaseTimeline state={state} />
      </Card>
      {state.rollback ? <RollbackProcedure rollback={state.rollback} /> : null}
      <StepTracker runId={run.id} state={state} clockOffsetMs={clockOffsetMs} readOnly />
      <SharedMetrics token={token} run={run} />
      <DecisionsList decisions={run.decisions} />
    </div>
  );
}

function SharedMetrics({ token, run }: { token: string; run: SharedRun }) {
  const { state } = run;
  const config = isWatched(state) ? (state.params.analysis ?? null) : null;
  const metrics = useQuery({
    queryKey: ["share-metrics", token, run.id],
    queryFn: ({ signal }) => fetchJson(`/api/share/${encodeURIComponent(token)}/metrics?run=${run.id}`, ZRunMetrics, signal),
    enabled: config !== null,
    refetchInterval: POLL_MS * 2.5,
  });
  const points = useMemo(() => (metrics.data ? fromStoredWindows(metrics.data.windows, undefined) : []), [metrics.data]);
  const analysis = useMemo(() => (metrics.data ? fromStoredAnalysis(metrics.data.latestAnalysis) : null), [metrics.data]);
  const rows = useMemo(() => toChartRows(points), [points]);
  const markers = useMemo(() => markersWithin(stepMarkers(run.decisions), rows), [run.decisions, rows]);
  const latest = useMemo(() => ({ baseline: rollingTotals(points, "baseline"), canary: rollingTotals(points, "canary") }), [points]);
  const thresholds = useMemo(() => (config ? latencyThresholds(config, analysis, points) : {}), [config, analysis, points]);
  if (!config) {
    return (
      <Card title="Metrics">
        <p className="text-sm text-slate-700">No automated analysis for this run: traffic is moved by hand.</p>
      </Card>
    );
  }
  return (
    <Card title="Metrics and verdict">
      <div className="space-y-4">
        <RollbackWhy state={state} />
        {points.length > 0 ? (
          <RunCharts rows={rows} markers={markers} latest={latest} config={config} latencyThresholds={thresholds} canaryPercent={state.canaryPercent} />
        ) : metrics.isPending ? (
          <SkeletonRows rows={3} label="Loading metrics…" />
        ) : (
          <p className="text-sm text-slate-700">Metrics start once the rollout sends traffic to the new version.</p>
        )}
        {metrics.isSuccess ? <EvidencePanel state={state} analysis={analysis} /> : null}
      </div>
    </Card>
  );
}
