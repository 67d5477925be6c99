import type { RunEffect, RunEvent } from "../core/events.ts";
import type { RollbackStepKind, RunState } from "../core/types.ts";
import { runAgents } from "./run-agents.ts";
import type { HookContext, HookOutcome, Notification, ResolvedHook, RouteTarget } from "./ports.ts";
import { ENGINE_AUDIT_ACTOR, writeAudit } from "../db/audit-log.ts";
import { writeReleaseRecord } from "./write-release-record.ts";
import { parseHooks, type HookName } from "../db/environment-config-schema.ts";
import { decryptSecret } from "../secrets.ts";
import type { DispatchResult, EngineDeps } from "./deps.ts";
import { loadRunWithSettings } from "../db/run-repository.ts";


type Dispatch = (runId: string, event: RunEvent) => Promise<DispatchResult>;
type EffectRow = { id: string; runId: string; kind: string; payload: RunEffect; attempts: number };

/**
 * An effect is leased for this long; a worker renews the lease while it works, so after a
 * crash another worker (or the restarted one) takes it over within one lease.
 */
const DEFAULT_LEASE_MS = 15_000;
const MAX_ATTEMPTS = 5;
/** Attempts a weight change waits for its router to be registered (boot race), ~0.5 s apart. */
const ROUTER_WAIT_ATTEMPTS = 4;

/**
 * Carries out the outbox. Effects are claimed with FOR UPDATE SKIP LOCKED and a lease, so two
 * instances never run the same effect at once, and one that a killed process was running is
 * picked up again once its lease expires (effects are idempotent: the core ignores duplicates).
 */
export class EffectWorker {
  private running = new Map<string, Promise<void>>();
  private cancels = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private polling = false;

  private readonly leaseMs: number;

  constructor(
    private readonly deps: EngineDeps,
    private readonly dispatch: Dispatch,
  ) {
    this.leaseMs = deps.effectLeaseMs ?? DEFAULT_LEASE_MS;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.cancels.values()) c.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Look for new effects now (called after a transition that produced some). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Waits until no effect is in flight in this process (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      const claimed = await this.claim();
      for (const row of claimed) {
        const work = this.execute(row).finally(() => this.running.delete(row.id));
        this.running.set(row.id, work);
      }
    } catch (e) {
      this.deps.onError("effects.poll", e);
    } finally {
      this.polling = false;
      if (!this.stopped) this.schedule(500);
    }
  }

  private async claim(): Promise<EffectRow[]> {
    const until = new Date(this.deps.clock() + this.leaseMs);
    return this.deps.db.$queryRaw<EffectRow[]>`
      UPDATE effect SET status = 'running', attempts = attempts + 1, "lockedUntil" = ${until}
      WHERE id IN (
        SELECT id FROM effect
        WHERE status = 'pending' OR (status = 'running' AND "lockedUntil" < now())
        ORDER BY "createdAt"
        FOR UPDATE SKIP LOCKED
        LIMIT 10)
      RETURNING id, "runId", kind, payload, attempts`;
  }

  private async execute(row: EffectRow): Promise<void> {
    const renew = setInterval(() => {
      void this.deps.db.effect
        .update({ where: { id: row.id }, data: { lockedUntil: new Date(this.deps.clock() + this.leaseMs) } })
        .catch((e) => this.deps.onError("effects.renew", e));
    }, this.leaseMs / 3);
    try {
      await this.carryOut(row.runId, row.payload, row.attempts);
      await this.deps.db.effect.update({ where: { id: row.id }, data: { status: "done", doneAt: new Date(this.deps.clock()), lockedUntil: null } });
    } catch (e) {
      this.deps.onError(`effect ${row.kind}`, e);
      // The claim already counted this attempt.
      const failed = row.attempts >= MAX_ATTEMPTS;
      await this.deps.db.effect
        .update({
          where: { id: row.id },
          data: { status: failed ? "failed" : "pending", lastError: String((e as Error)?.message ?? e).slice(0, 2000), lockedUntil: null },
        })
        .catch((err) => this.deps.onError("effects.release", err));
    } finally {
      clearInterval(renew);
    }
  }

  private loadRun(runId: string) {
    return loadRunWithSettings(this.deps.db, runId);
  }

  /** A region-by-region rollback: each listed region's router back to 0%, newest wave first; done only if all are. */
  private async revertRegions(runId: string, state: RunState, regions: string[], finish: (status: "done" | "failed", detail: string) => Promise<unknown>): Promise<void> {
    const results: string[] = [];
    let ok = true;
    for (const region of regions) {
      const kind = routerKindOf(state, region);
      const target = { ...this.target(runId, state), region };
      const router = this.deps.routerFor(kind, target);
      if (!router) {
        ok = false;
        results.push(`${region}: no ${kind} router is running`);
        continue;
      }
      try {
        await router.setWeight(target, 0);
        const verified = await router.verifyWeight(target, 0);
        ok &&= verified;
        results.push(verified ? `${region}: canary weight 0%, verified` : `${region}: router did not confirm 0%`);
      } catch (e) {
        ok = false;
        results.push(`${region}: ${String((e as Error)?.message ?? e)}`);
      }
    }
    await finish(ok ? "done" : "failed", results.join("; "));
  }

  private target(runId: string, state: RunState): RouteTarget {
    const p = state.params;
    return { runId, service: p.service, environment: p.environment, baseline: p.baselineVersion, canary: p.targetVersion };
  }

  private async carryOut(runId: string, effect: RunEffect, attempts: number): Promise<void> {
    switch (effect.kind) {
      case "runAgents": {
        const run = await this.loadRun(runId);
        const controller = new AbortController();
        this.cancels.set(runId, controller);
        try {
          await runAgents({ deps: this.deps, dispatch: this.dispatch, runId, state: run.state, checks: run.checks, effect, signal: controller.signal });
        } finally {
          if (this.cancels.get(runId) === controller) this.cancels.delete(runId);
        }
        return;
      }
      case "cancelAgents":
        this.cancels.get(runId)?.abort(new Error(effect.reason));
        return;
      case "setWeight": {
        const state = (await this.loadRun(runId)).state;
        // A region-by-region run's step moves its own region's router (issue 15).
        const target = { ...this.target(runId, state), ...(effect.region ? { region: effect.region } : {}) };
        const kind = routerKindOf(state, effect.region);
        const where = `${target.service}/${target.environment}${effect.region ? ` in ${effect.region}` : ""}`;
        const router = this.deps.routerFor(kind, target);
        if (!router) {
          // Just after a restart the configured routers may still be starting: retry the effect
          // a few times before telling the run its router is missing.
          if (attempts < ROUTER_WAIT_ATTEMPTS) throw new Error(`no ${kind} router running yet for ${where}`);
          await this.dispatch(runId, { kind: "routerFailed", stepIndex: effect.stepIndex, error: `no ${kind} router is running for ${where}` });
          return;
        }
        try {
          await router.setWeight(target, effect.percent);
          if (!(await router.verifyWeight(target, effect.percent))) throw new Error(`router does not serve ${effect.percent}% after setting it`);
          await this.dispatch(runId, { kind: "weightApplied", stepIndex: effect.stepIndex, percent: effect.percent });
        } catch (e) {
          await this.dispatch(runId, { kind: "routerFailed", stepIndex: effect.stepIndex, error: String((e as Error)?.message ?? e) });
        }
        return;
      }
      case "rollbackStep":
        return this.rollbackStep(runId, effect.step, attempts, effect.regions);
      case "writeRecord":
        await writeReleaseRecord(this.deps.db, runId, this.deps.clock(), this.deps.readRecordMaterial);
        await this.dispatch(runId, { kind: "recordWritten" });
        return;
      case "notify": {
        await this.notify({ runId, severity: effect.severity, message: effect.message });
        this.deps.publish({ kind: "notification", event: { runId, severity: effect.severity, message: effect.message, at: new Date(this.deps.clock()).toISOString(), forStatus: effect.forStatus } });
        return;
      }
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Sends a notification and, when it reached people, records that in the run's audit trail: the
   * evidence behind the "team notified" success criterion.
   */
  private async notify(n: Notification): Promise<string[]> {
    const channels = await this.deps.notifier.notify(n);
    if (channels.length > 0) {
      await writeAudit(this.deps.db, { actor: ENGINE_AUDIT_ACTOR, action: "run.notify", runId: n.runId, summary: `Notified the team (${channels.join(", ")}): ${n.message}`, detail: { channels, severity: n.severity } });
    }
    return channels;
  }

  private async rollbackStep(runId: string, step: RollbackStepKind, attempt: number, regions?: string[]): Promise<void> {
    const run = await this.loadRun(runId);
    const state = run.state;
    const finish = (status: "done" | "failed" | "skipped", detail: string) =>
      this.dispatch(runId, { kind: "rollbackStepFinished", step, status, detail });
    switch (step) {
      case "revert_traffic": {
        if (regions) return void (await this.revertRegions(runId, state, regions, finish));
        const target = this.target(runId, state);
        const router = this.deps.routerFor(state.params.router, target);
        if (!router) return void (await finish("failed", `no ${state.params.router} router is running for ${target.service}/${target.environment}`));
        try {
          await router.setWeight(target, 0);
          const ok = await router.verifyWeight(target, 0);
          await finish(ok ? "done" : "failed", ok ? "Canary weight 0%, verified" : "Router did not confirm 0%");
        } catch (e) {
          await finish("failed", String((e as Error)?.message ?? e));
        }
        return;
      }
      case "data_migration":
      case "cache_invalidation": {
        const name = step === "data_migration" ? "dataMigration" : "cacheInvalidation";
        // A hook runs at least once: a server killed mid-hook runs it again on restart. The key
        // is the same on every attempt, so the hook can tell a retry from a new rollback.
        const outcome = await this.runRollbackHook(name, run.hooks, { ...this.target(runId, state), idempotencyKey: `${runId}:rollback:${name}`, attempt });
        return void (await finish(outcome.status, outcome.detail));
      }
      case "notify": {
        // The procedure names who to reach: the service's emergency contacts go with the notification.
        const contacts = run.contacts;
        const channels = await this.notify({
          runId,
          severity: "critical",
          message: `${state.params.service} rolled back from ${state.params.targetVersion} to ${state.params.baselineVersion}: ${state.rollback?.reason ?? ""}`,
          ...(contacts.length > 0 ? { contacts } : {}),
        });
        // Names and roles only: the release record is read more widely than the call list.
        const named = contacts.length > 0 ? `; emergency contacts named: ${contacts.map((c) => `${c.name} (${c.role})`).join(", ")}` : "; no emergency contacts are set for this service";
        return void (await finish("done", channels.length > 0 ? `Stakeholders notified (${channels.join(", ")})${named}` : "Written to the server log only: no notification channel is configured"));
      }
      case "postmortem":
        await writeReleaseRecord(this.deps.db, runId, this.deps.clock(), this.deps.readRecordMaterial);
        return void (await finish("done", "Post-mortem draft written to the release record"));
      default: {
        const never: never = step;
        throw new Error(`unknown rollback step ${String(never)}`);
      }
    }
  }

  /** Runs the environment's hook for a rollback step; a hook that cannot even be loaded fails the step. */
  private async runRollbackHook(name: HookName, storedHooks: unknown, ctx: HookContext): Promise<HookOutcome> {
    let hook: ResolvedHook | null;
    try {
      const stored = parseHooks(storedHooks)[name];
      hook = stored?.kind === "webhook" ? { ...stored, secret: decryptSecret(stored.secret) } : stored;
    } catch (e) {
      this.deps.onError(`rollback hook ${name}`, e);
      return { status: "failed", detail: "The hook's stored settings could not be read (invalid, or the session secret changed); re-save them in Settings." };
    }
    return this.deps.runRollbackHook(hook, name, ctx);
  }
}

/** The router kind that moves a region's traffic (its own), or the environment's. */
function routerKindOf(state: RunState, region: string | undefined): string {
  const entry = region ? state.regionPlan?.regions.find((r) => r.name === region) : undefined;
  return entry?.router ?? state.params.router;
}
