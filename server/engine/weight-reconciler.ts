import { heldWeight } from "../core/held-weight.ts";
import type { RunState } from "../core/types.ts";
import { ENGINE_AUDIT_ACTOR, writeAudit } from "../db/audit-log.ts";
import type { Db } from "../db/client.ts";
import { lockRunState, runsHoldingTraffic, trafficChangeInFlight } from "../db/run-repository.ts";
import type { RouteTarget, ServedWeight, TrafficRouter } from "./ports.ts";

/** How often the routers' weights are compared with the runs'. A restarted router is corrected within one period. */
export const RECONCILE_PERIOD_MS = 2_000;

/** What the reconciler needs: the database, the routers (as the engine finds them) and where errors go. */
export type WeightReconcilerDeps = {
  db: Db;
  /** the router serving a run's service and environment; null when none is running (manual, or not started yet) */
  routerFor: (kind: string, target: RouteTarget) => TrafficRouter | null;
  onError: (where: string, e: unknown) => void;
  /** default RECONCILE_PERIOD_MS */
  periodMs?: number;
};

/** One weight put back on a router, as audited. */
export type WeightCorrection = {
  runId: string;
  /** what the router served before; null for a router that cannot report it (re-applied after a restart) */
  served: ServedWeight | null;
  /** the run's weight, re-applied */
  percent: number;
  /** whether the router confirmed the weight afterwards */
  verified: boolean;
  summary: string;
};

/**
 * Keeps every router serving the weight its run holds. The weight is state (the run's row), the
 * router's split is memory: a built-in router restarted by a crash comes back at 0% with no run,
 * an nginx may have been restarted with another config. On start and every period, each run that
 * holds a weight is compared with what its router reports and re-applied on drift, audited as
 * `router.weight_reconciled`. Routers that cannot report (webhook) get the weight once, on the
 * first pass after a start. It never fights the engine: a run whose traffic change is in the
 * outbox or in flight, or whose row another transaction holds, is left for the next pass.
 */
export class WeightReconciler {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pass: Promise<WeightCorrection[]> | null = null;
  // Routers that cannot be read are re-applied on the first pass that could list the runs.
  private booted = false;
  private readonly periodMs: number;

  constructor(private readonly deps: WeightReconcilerDeps) {
    this.periodMs = deps.periodMs ?? RECONCILE_PERIOD_MS;
  }

  /** Reconciles now, then every period. */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      await this.reconcileAll().catch((e: unknown) => this.deps.onError("router.reconcile", e));
      if (!this.stopped) this.timer = setTimeout(loop, this.periodMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops the period and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
  }

  /** One pass over every run that holds a weight; a pass already running is joined, never doubled. */
  reconcileAll(): Promise<WeightCorrection[]> {
    this.pass ??= this.runPass().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async runPass(): Promise<WeightCorrection[]> {
    const runs = await runsHoldingTraffic(this.deps.db);
    const boot = !this.booted;
    this.booted = true;
    const corrections: WeightCorrection[] = [];
    for (const run of runs) {
      try {
        const done = await this.reconcile(run.id, run.state, boot);
        if (done) corrections.push(done);
      } catch (e) {
        this.deps.onError(`router.reconcile ${run.id}`, e);
      }
    }
    return corrections;
  }

  private async reconcile(runId: string, state: RunState, boot: boolean): Promise<WeightCorrection | null> {
    if (!state.regionPlan) return this.reconcileOne(runId, state, boot, state.params.router, targetOf(runId, state), heldWeight);
    // A region-by-region run: every region it has touched keeps its weight on its own router —
    // a released region 100%, the active one the step's (issue 15).
    let last: WeightCorrection | null = null;
    for (const region of state.regionPlan.regions) {
      if (region.state !== "active" && region.state !== "released") continue;
      const target = { ...targetOf(runId, state), region: region.name };
      const done = await this.reconcileOne(runId, state, boot, region.router ?? state.params.router, target, (s) => regionHeldWeight(s, region.name));
      last = done ?? last;
    }
    return last;
  }

  private async reconcileOne(runId: string, state: RunState, boot: boolean, kind: string, target: RouteTarget, held: (s: RunState) => number | null): Promise<WeightCorrection | null> {
    const percent = held(state);
    if (percent === null) return null;
    const router = this.deps.routerFor(kind, target);
    if (!router) return null;
    // Reading a router mid-change (an nginx reload) would see a weight on its way out.
    if (await trafficChangeInFlight(this.deps.db, runId)) return null;
    let served: ServedWeight | null = null;
    if (router.servedWeight) {
      served = await router.servedWeight(target);
      if (served === null || (served.runId === runId && served.percent === percent)) return null;
    } else if (!boot) {
      return null;
    }
    return this.reapply(runId, percent, router, target, served, held);
  }

  /**
   * Re-applies under the run's row lock, after checking again that the run still holds this weight
   * and that no traffic change started meanwhile: the engine needs that lock to start one.
   */
  private reapply(runId: string, percent: number, router: TrafficRouter, target: RouteTarget, served: ServedWeight | null, held: (s: RunState) => number | null): Promise<WeightCorrection | null> {
    return this.deps.db.$transaction(
      async (tx) => {
        const state = await lockRunState(tx, runId, { skipLocked: true });
        if (!state || held(state) !== percent || (await trafficChangeInFlight(tx, runId))) return null;
        // Another instance sharing this router may have just corrected it (we waited for its lock): read it again.
        if (served !== null && router.servedWeight) {
          const now = await router.servedWeight(target);
          if (now === null || (now.runId === runId && now.percent === percent)) return null;
        }
        await router.setWeight(target, percent);
        const verified = await router.verifyWeight(target, percent);
        const summary = summaryOf(`${target.service}/${target.environment}${target.region ? ` in ${target.region}` : ""}`, runId, percent, served, verified);
        await writeAudit(tx, {
          actor: ENGINE_AUDIT_ACTOR,
          action: "router.weight_reconciled",
          runId,
          summary,
          detail: { router: state.params.router, heldPercent: percent, servedPercent: served?.percent ?? null, servedRunId: served?.runId ?? null, verified },
        });
        if (!verified) this.deps.onError("router.reconcile", new Error(summary));
        return { runId, served, percent, verified, summary };
      },
      // An nginx reload may take seconds; the engine's own transactions allow 15 s.
      { timeout: 15_000 },
    );
  }
}

/** What one region's router must serve: 100% once released, the held step weight while active, else nothing to keep. */
function regionHeldWeight(state: RunState, region: string): number | null {
  const held = heldWeight(state);
  const entry = state.regionPlan?.regions.find((r) => r.name === region);
  if (held === null || !entry) return null;
  return entry.state === "released" ? 100 : entry.state === "active" ? held : null;
}

function targetOf(runId: string, state: RunState): RouteTarget {
  const p = state.params;
  return { runId, service: p.service, environment: p.environment, baseline: p.baselineVersion, canary: p.targetVersion };
}

/** The audit line, in the release team's words: what the router did, what the run holds, what was done. */
function summaryOf(place: string, runId: string, percent: number, served: ServedWeight | null, verified: boolean): string {
  const outcome = verified ? "re-applied" : "re-applied, but the router did not confirm it";
  if (served === null) return `Router for ${place} cannot report its weight; after a restart, the run's ${percent}% to the canary was ${outcome}`;
  if (served.percent !== percent) return `Router for ${place} sent ${served.percent}% to the canary; the run holds ${percent}%: ${outcome}`;
  const whose = served.runId === null ? "no run" : `run ${served.runId}`;
  return `Router for ${place} sent ${percent}% to the canary but counted its requests for ${whose}, not ${runId}: ${outcome}`;
}
