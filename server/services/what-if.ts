import type { DDSketch } from "@datadog/sketches-js";
import type { Db } from "../db/client.ts";
import { policyOf, withAnalysisPolicy, type AnalysisPolicy } from "../core/analysis/analysis-policy.ts";
import type { AnalysisConfig } from "../core/analysis/triggers.ts";
import { replayRun, type ReplayStep, type ReplayWindow, type RunReplay, type WindowSide } from "../core/analysis/what-if.ts";
import { describeRunActual, stepTimeline, windowsByStep } from "../core/analysis/what-if-steps.ts";
import { analysisFor } from "../core/policy.ts";
import { TERMINAL_STATUSES, type EnvironmentName } from "../core/types.ts";
import { parseLimits } from "../db/environment-config-schema.ts";
import { loadRunWindows, type StoredWindow } from "../db/metric-window-repository.ts";
import { finishedRunIdsWithWindows, loadRunForReplay } from "../db/run-repository.ts";
import { countAbove, deserializeSketch, newSketch, quantile } from "../metrics/sketch.ts";
import { AppError } from "../errors.ts";

/** How many past runs a policy preview replays. */
export const PREVIEW_RUNS = 20;

/** A finished run replayed under another policy, next to what really happened. */
export type RunWhatIf = {
  runId: string;
  number: number;
  baselineVersion: string;
  targetVersion: string;
  /** the run's final status: succeeded, rolled_back, failed, aborted */
  status: string;
  finishedAt: string | null;
  /** the policy the run really had, and the one replayed */
  actualPolicy: AnalysisPolicy;
  replayedPolicy: AnalysisPolicy;
  /** what really happened, in one sentence */
  actually: string;
  replay: RunReplay;
  /** whether the replayed policy ends the run differently (rolls back where it did not, or the reverse) */
  differs: boolean;
};

type LoadedRun = NonNullable<Awaited<ReturnType<typeof loadRunForReplay>>>;

/** Replays a finished run under its own config with some of the policy's numbers replaced (the run page's what-if). */
export async function replayFinishedRun(db: Db, runId: string, override: Partial<AnalysisPolicy>): Promise<RunWhatIf> {
  const run = await loadRunForReplay(db, runId);
  if (!run) throw new AppError("NOT_FOUND", { message: `run ${runId} not found`, userMessage: "That run does not exist." });
  const config = run.state.params.analysis;
  if (!TERMINAL_STATUSES.includes(run.status as (typeof TERMINAL_STATUSES)[number]) || !config) {
    throw new AppError("BAD_REQUEST", {
      message: `run ${runId} is ${run.status}, analysis ${config ? "on" : "off"}`,
      userMessage: "What-if replays finished runs that an automated analysis watched.",
    });
  }
  return replayUnder(run, withAnalysisPolicy(config, override), await loadRunWindows(db, run.id));
}

/**
 * What a proposed policy would have done on an environment's last finished runs (those an
 * automated analysis watched, with stored windows), newest first: the config a new run there
 * would get under it, replayed on each run's windows.
 */
export async function previewEnvironmentPolicy(db: Db, environmentId: string, policy: AnalysisPolicy): Promise<RunWhatIf[]> {
  const env = await db.environment.findUnique({ where: { id: environmentId }, select: { name: true, limits: true } });
  if (!env) throw new AppError("NOT_FOUND", { message: `environment ${environmentId} not found`, userMessage: "That environment does not exist." });
  const config = analysisFor(env.name as EnvironmentName, parseLimits(env.limits), policy);
  const ids = await finishedRunIdsWithWindows(db, environmentId, TERMINAL_STATUSES, PREVIEW_RUNS);
  const out: RunWhatIf[] = [];
  // One run at a time: a long run has thousands of windows, each with a sketch.
  for (const id of ids) {
    const run = await loadRunForReplay(db, id);
    if (run?.state.params.analysis) out.push(replayUnder(run, config, await loadRunWindows(db, id)));
  }
  return out;
}

function replayUnder(run: LoadedRun, config: AnalysisConfig, stored: StoredWindow[]): RunWhatIf {
  const decisions = run.decisions.map((d) => ({ ...d, at: d.createdAt.getTime() }));
  const finishedAt = run.finishedAt?.getTime() ?? null;
  const timeline = stepTimeline(run.state.steps, decisions, finishedAt);
  const windows = replayWindows(stored);
  const byStep = windowsByStep(timeline, windows.map((w) => w.span));
  const steps: ReplayStep[] = timeline.map((step, i) => ({ ...step, windows: (byStep[i] ?? []).flatMap((w) => windows[w]?.window ?? []) }));
  const replay = replayRun(config, steps);
  const actuallyRolledBack = run.status === "rolled_back" || timeline.some((s) => s.actual.kind === "rolledBack");
  return {
    runId: run.id,
    number: run.number,
    baselineVersion: run.baselineVersion,
    targetVersion: run.targetVersion,
    status: run.status,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    actualPolicy: policyOf(run.state.params.analysis ?? config),
    replayedPolicy: policyOf(config),
    actually: describeRunActual(run.status, timeline, run.outcomeReason),
    replay,
    differs: actuallyRolledBack !== (replay.verdict === "rollback"),
  };
}

const sideOf = (w: StoredWindow | undefined): WindowSide =>
  w
    ? { requests: w.requests, errors: w.errors, attempts: w.attempts, conversions: w.conversions, cpuPercent: w.cpuPercent, memoryPercent: w.memoryPercent }
    : { requests: 0, errors: 0, attempts: 0, conversions: 0, cpuPercent: null, memoryPercent: null };

/**
 * Stored rows (one per side and window) as the replay's windows: the baseline's p95/p99 from its
 * sketches merged since the rollout began (as the live aggregator keeps it), the canary's slow
 * requests counted from each window's own sketch at whatever threshold the replay asks.
 */
function replayWindows(stored: StoredWindow[]): { span: { start: number; ms: number }; window: ReplayWindow }[] {
  const byStart = new Map<number, { baseline?: StoredWindow; canary?: StoredWindow }>();
  for (const w of stored) {
    const key = w.windowStart.getTime();
    const pair = byStart.get(key) ?? {};
    pair[w.side] = w;
    byStart.set(key, pair);
  }
  const baselineSketch = newSketch();
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, pair]) => {
      if (pair.baseline && pair.baseline.requests > 0) baselineSketch.merge(deserializeSketch(pair.baseline.latencySketch));
      const ms = pair.canary?.windowMs ?? pair.baseline?.windowMs ?? 10_000;
      const canaryBytes = pair.canary?.latencySketch;
      let canarySketch: DDSketch | null = null;
      const window: ReplayWindow = {
        at: start + ms,
        baseline: sideOf(pair.baseline),
        canary: sideOf(pair.canary),
        baselineLatencyMs: { p95: quantile(baselineSketch, 0.95), p99: quantile(baselineSketch, 0.99) },
        canarySlowerThan: (thresholdMs) => {
          if (!canaryBytes || (pair.canary?.requests ?? 0) === 0) return 0;
          canarySketch ??= deserializeSketch(canaryBytes);
          return countAbove(canarySketch, thresholdMs);
        },
      };
      return { span: { start, ms }, window };
    });
}
