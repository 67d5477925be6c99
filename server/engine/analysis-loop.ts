import type { Db } from "../db/client.ts";
import { evaluateStep, startStep, type AppliedBatch, type StepSession } from "../core/analysis/step-analysis.ts";
import type { Verdict } from "../core/analysis/triggers.ts";
import type { AnalysisResult, Evaluation } from "../core/analysis/evaluation.ts";
import type { RunEvent } from "../core/events.ts";
import type { AnalysisSnapshot, RunState } from "../core/types.ts";
import type { MetricsAggregator } from "../metrics/aggregator.ts";
import type { Publish } from "../realtime/event-map.ts";
import type { DispatchResult } from "./deps.ts";
import { runsInRollout } from "../db/run-repository.ts";
import { acquireAnalysisLeases, releaseAnalysisLeases } from "../db/analysis-lease-repository.ts";
import { drainMetricInbox } from "../db/metric-inbox-repository.ts";
import { applyInboxPayload } from "../metrics/metrics-forwarder.ts";

type Deps = {
  db: Db;
  aggregator: MetricsAggregator;
  dispatch: (runId: string, event: RunEvent) => Promise<DispatchResult>;
  publish: Publish;
  clock: () => number;
  onError: (where: string, e: unknown) => void;
  /** how often the canary is evaluated (ms); the rollback latency budget starts here */
  evaluateEveryMs?: number;
  /**
   * With several instances on one database: this instance's id. The loop then analyses only the
   * runs whose `analysis_lease` it holds (taken when free or expired, renewed every second, given
   * up on stop) and drains their metric inbox. Absent: every run, as a lone process (tests).
   */
  lease?: { owner: string; ttlMs?: number };
};

/** How long a lease lasts unrenewed: another instance takes the run over this long after its owner dies (plus one refresh). */
export const ANALYSIS_LEASE_TTL_MS = 5_000;
/** Stop acting this long before our own view of the lease runs out: the database's clock decides, ours only approximates it. */
const LEASE_MARGIN_MS = 500;

type Watched = {
  state: RunState;
  lastVerdict: Verdict | null;
  lastDispatch: number;
  lastStored: number;
  /** the step's change detectors and confidence bounds; rebuilt (a fresh test) after a restart */
  session: StepSession | null;
  /** batches consumed since the last stored evaluation: stored with it, so its figures replay */
  unstored: AppliedBatch[];
  /** whether this step's first evaluation has been stored (it carries the step's start) */
  storedAny: boolean;
};

/** The state re-sent to the core even when the verdict is unchanged, so the page stays current. */
const REFRESH_MS = 5_000;
const STORE_EVERY_MS = 1_000;
const ACTIVE_REFRESH_MS = 1_000;

/** Infinity is not JSON: evaluations store it as null ("cannot conclude"). */
function jsonSafe(evaluations: Evaluation[]): object[] {
  return JSON.parse(JSON.stringify(evaluations, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))) as object[];
}

/** Requests still needed, stored and sent as -1 when no amount of requests can settle the step. */
function requestsNeededOf(result: AnalysisResult): number {
  return Number.isFinite(result.requestsNeeded) ? result.requestsNeeded : -1;
}

function snapshotOf(result: AnalysisResult, at: number): AnalysisSnapshot {
  return {
    verdict: result.verdict,
    summary: result.summary,
    requestsNeeded: requestsNeededOf(result),
    msNeeded: result.msNeeded === null || !Number.isFinite(result.msNeeded) ? null : Math.round(result.msNeeded),
    decidedBy: result.decidedBy ? { trigger: result.decidedBy.trigger, message: result.decidedBy.message } : null,
    at,
  };
}

/**
 * Watches every run whose rollout has an automated analysis: evaluates the canary against the
 * baseline several times a second from in-memory totals, tells the core when the verdict
 * changes (a rollback verdict rolls back at once), stores every evaluation each second, streams
 * 1 s chart points and persists 10 s metric windows.
 */
export class AnalysisLoop {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private lastActiveRefresh = 0;
  private lastSecond = 0;
  private busy = false;
  /** lease mode: our clock's last moment the leases taken at the last refresh surely still hold */
  private leaseValidUntil = 0;
  /** lease mode: the runs whose leases we held at the last refresh */
  private leased = new Set<string>();

  constructor(private readonly deps: Deps) {}

  /** Whether this instance analyses the run now (with leases: holds its lease). */
  owns(runId: string): boolean {
    return this.watched.has(runId);
  }

  start(): void {
    const every = this.deps.evaluateEveryMs ?? 250;
    const loop = () => {
      void this.cycle()
        .catch((e) => this.deps.onError("analysis", e))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, every);
        });
    };
    this.timer = setTimeout(loop, every);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
    await this.persistWindows(true);
    // Handing over on a clean stop: the next instance takes the runs at its next refresh, not after the TTL.
    if (this.deps.lease) {
      this.watched.clear();
      this.leased.clear();
      await releaseAnalysisLeases(this.deps.db, this.deps.lease.owner);
    }
  }

  /** One evaluation round (public for tests). */
  async cycle(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.deps.clock();
      if (now - this.lastActiveRefresh >= ACTIVE_REFRESH_MS) await this.refreshActive(now);
      if (this.deps.lease && this.watched.size > 0) {
        // Our renewals failed for too long (database away, process stalled): another instance may own the runs now.
        if (this.deps.clock() > this.leaseValidUntil) return;
        await this.drainInbox();
      }
      for (const [runId, w] of this.watched) await this.evaluate(runId, w, now);
      if (now - this.lastSecond >= 1_000) {
        this.lastSecond = now;
        for (const { runId, points } of this.deps.aggregator.rollSecond()) {
          this.deps.publish({ kind: "metrics", event: { runId, points } });
        }
        await this.persistWindows(false);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Samples other instances received for our runs, in the order they sent them. */
  private async drainInbox(): Promise<void> {
    for (;;) {
      const batches = await drainMetricInbox(this.deps.db, [...this.watched.keys()]);
      for (const b of batches) {
        if (b.payload) applyInboxPayload(this.deps.aggregator, b.runId, b.payload);
        else this.deps.onError("analysis.inbox", new Error(`metric inbox row ${b.id} of run ${b.runId} does not parse; dropped`));
      }
      if (batches.length < 500) return;
    }
  }

  private async refreshActive(now: number): Promise<void> {
    this.lastActiveRefresh = now;
    const rows = (await runsInRollout(this.deps.db)).filter((r) => r.state.params.analysis);
    let owned: Set<string> | null = null;
    const lease = this.deps.lease;
    if (lease) {
      const ttl = lease.ttlMs ?? ANALYSIS_LEASE_TTL_MS;
      const before = this.deps.clock();
      // Leases of runs that left the rollout go first, so nobody waits for them to expire.
      const leaving = [...this.leased].filter((id) => !rows.some((r) => r.id === id));
      await releaseAnalysisLeases(this.deps.db, lease.owner, leaving);
      owned = await acquireAnalysisLeases(this.deps.db, lease.owner, rows.map((r) => r.id), ttl);
      this.leased = owned;
      this.leaseValidUntil = before + ttl - LEASE_MARGIN_MS;
    }
    const seen = new Set<string>();
    for (const row of rows) {
      const state = row.state;
      if (owned && !owned.has(row.id)) continue;
      seen.add(row.id);
      this.deps.aggregator.startStep(row.id, state.stepIndex, state.steps[state.stepIndex]?.region ?? null);
      const w = this.watched.get(row.id);
      if (w && w.state.stepIndex === state.stepIndex) w.state = state;
      else this.watched.set(row.id, { state, lastVerdict: null, lastDispatch: 0, lastStored: 0, session: null, unstored: [], storedAny: false });
    }
    for (const runId of this.watched.keys()) {
      if (seen.has(runId)) continue;
      this.watched.delete(runId);
      if (owned && rows.some((r) => r.id === runId)) {
        // Still rolling out, but another instance holds its lease now: its counts are no longer ours to keep.
        this.deps.aggregator.forget(runId);
        continue;
      }
      // Keep counting a little after the run leaves the rollout so the charts show the revert.
      setTimeout(() => {
        if (!this.watched.has(runId)) this.deps.aggregator.forget(runId);
      }, 30_000).unref();
    }
  }

  private async evaluate(runId: string, w: Watched, now: number): Promise<void> {
    const config = w.state.params.analysis;
    if (!config || w.state.stepPhase !== "holding") return;
    const input = this.deps.aggregator.takeAnalysisInput(runId, config);
    if (!input) return;
    const { totals, batch } = input;
    // The step is watched from when this process first saw it hold: before that its canary
    // counts were not being batched (a restart begins a fresh test, never reuses lost evidence).
    const session = w.session ?? startStep(w.state.stepIndex, w.state.steps.length, now);
    const step = evaluateStep(config, session, { ...batch, at: now }, totals);
    w.session = step.session;
    if (Object.keys(step.applied.counts).length > 0) w.unstored.push(step.applied);
    const result = step.result;
    if (now - w.lastStored >= STORE_EVERY_MS || result.verdict !== w.lastVerdict) {
      w.lastStored = now;
      const evaluations = jsonSafe(result.evaluations);
      const batches = w.unstored;
      w.unstored = [];
      await this.deps.db.analysisEvaluation.create({
        data: {
          runId,
          stepIndex: w.state.stepIndex,
          region: w.state.steps[w.state.stepIndex]?.region ?? null,
          at: new Date(now),
          verdict: result.verdict,
          summary: result.summary,
          requestsNeeded: requestsNeededOf(result),
          evaluations,
          batches,
          stepStartedAt: w.storedAny ? null : new Date(session.startedAt),
        },
      });
      w.storedAny = true;
      this.deps.publish({ kind: "analysis", event: { runId, stepIndex: w.state.stepIndex, at: new Date(now).toISOString(), verdict: result.verdict, summary: result.summary, evaluations } });
    }
    if (result.verdict === w.lastVerdict && now - w.lastDispatch < REFRESH_MS) return;
    w.lastVerdict = result.verdict;
    w.lastDispatch = now;
    const r = await this.deps.dispatch(runId, { kind: "analysis", stepIndex: w.state.stepIndex, result: snapshotOf(result, now) });
    if (r.ok && r.status !== "running" && r.status !== "paused") this.watched.delete(runId);
  }

  private async persistWindows(force: boolean): Promise<void> {
    const rows = this.deps.aggregator.rollWindows(force);
    if (rows.length === 0) return;
    await this.deps.db.metricWindow.createMany({ data: rows.map((r) => ({ ...r, latencySketch: Buffer.from(r.latencySketch) })) });
  }
}
