import { decide, type Transition } from "../core/decide.ts";
import { auditLineFor } from "../core/commands.ts";
import type { RunEvent } from "../core/events.ts";
import type { Actor } from "../core/types.ts";
import { ENGINE_AUDIT_ACTOR, writeAudit } from "../db/audit-log.ts";
import { bumpSeq, dueRunIds, lockRunState, saveTransition } from "../db/run-repository.ts";
import type { DispatchResult, EngineDeps } from "./deps.ts";
import { EffectWorker } from "./effect-worker.ts";

export type { DispatchResult } from "./deps.ts";

/** The audit line of an accepted command, worded by its entry in the command table. */
function auditLine(event: RunEvent, t: Transition): { action: string; summary: string } | null {
  if (!("actor" in event)) return null;
  return auditLineFor(event.kind, { reason: "reason" in event ? event.reason : undefined, percent: "percent" in event ? event.percent : undefined }, t.note);
}

/**
 * The durable orchestrator: load a run under a row lock → decide() → persist state, decisions,
 * effects and audit in one transaction → publish → carry out effects (EffectWorker).
 * Deadlines live in the run row, so a restarted process resumes a hold where it was.
 */
export class Engine {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  readonly effects: EffectWorker;

  constructor(private readonly deps: EngineDeps & { tickMs: number }) {
    this.effects = new EffectWorker(deps, (runId, event) => this.dispatch(runId, event));
  }

  /** Applies one event to a run. Commands wait for the row lock; ticks skip a locked run. */
  async dispatch(runId: string, event: RunEvent, opts: { skipLocked?: boolean } = {}): Promise<DispatchResult> {
    const now = this.deps.clock();
    const result = await this.deps.db.$transaction(
      async (tx) => {
        const stored = await lockRunState(tx, runId, opts);
        const row = stored ? { state: stored } : null;
        if (!row) return { result: { ok: false, message: "Run not found.", code: opts.skipLocked ? "CONFLICT" : "NOT_FOUND" } as const, t: null };
        const t = decide(row.state, event, now);
        const actor: Actor | null = "actor" in event ? event.actor : null;
        if (t.rejected) {
          if (actor) {
            await writeAudit(tx, { actor, action: `run.${event.kind}.refused`, runId, summary: `Refused: ${t.rejected}` });
          }
          return { result: { ok: false, message: t.rejected, code: "CONFLICT" } as const, t: null };
        }
        const changed = JSON.stringify(t.state) !== JSON.stringify(row.state);
        if (changed) await saveTransition(tx, runId, row.state, t.state, t.decisions, t.effects, new Date(now));
        // Every command leaves an audit entry, even a harmless repeat (two people rolling back
        // at once: one rollback, two entries).
        const line = actor ? auditLine(event, t) : null;
        if (actor && line) await writeAudit(tx, { actor, action: line.action, runId, summary: line.summary, detail: { changed } });
        if (!actor && changed && t.state.status !== row.state.status) {
          await writeAudit(tx, {
            actor: ENGINE_AUDIT_ACTOR,
            action: `run.status.${t.state.status}`,
            runId,
            summary: t.state.outcome ?? `Status ${row.state.status} → ${t.state.status}`,
          });
        }
        const seq = changed ? await bumpSeq(tx, runId) : null;
        return { result: { ok: true, changed, note: t.note, status: t.state.status } as const, t: { t, seq } };
      },
      { timeout: 15_000 },
    );
    if (result.t && result.t.seq !== null) {
      const { t, seq } = result.t;
      const last = t.decisions.at(-1);
      this.deps.publish({
        kind: "runChanged",
        event: { runId, seq, status: t.state.status, phase: t.state.phase, waitingFor: t.state.waitingFor, summary: last?.reason ?? event.kind },
      });
      if (t.effects.length > 0) this.effects.kick();
    }
    return result.result;
  }

  /** Starts the deadline ticker and the effect worker. */
  start(): void {
    this.stopped = false;
    this.effects.start();
    const loop = async () => {
      if (this.stopped) return;
      await this.tickDue().catch((e) => this.deps.onError("tick", e));
      if (!this.stopped) this.timer = setTimeout(loop, this.deps.tickMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.effects.stop();
  }

  /** Wakes every run whose deadline has passed. */
  async tickDue(): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    try {
      const due = await dueRunIds(this.deps.db, this.deps.clock());
      for (const id of due) await this.dispatch(id, { kind: "tick" }, { skipLocked: true });
      return due.length;
    } finally {
      this.ticking = false;
    }
  }
}
