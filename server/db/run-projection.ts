import type { Tx } from "./client.ts";
import type { DecisionRecord, RunEffect } from "../core/events.ts";
import { nextDeadline } from "../core/decide.ts";
import type { GateState, Phase, RunState } from "../core/types.ts";
import { PHASES } from "../core/types.ts";

const PROCEDURE_PHASES = PHASES.filter((p): p is Exclude<Phase, "done"> => p !== "done");

/** Rows for a new run: its phases, agent tasks, gates and rollout steps, all pending. */
export async function insertProjection(tx: Tx, runId: string, state: RunState): Promise<void> {
  await tx.runPhase.createMany({ data: PROCEDURE_PHASES.map((kind) => ({ runId, kind, status: "pending" })) });
  await tx.agentTask.createMany({
    data: state.agents.map((a) => ({ runId, phase: a.phase, agent: a.agent, status: a.status })),
  });
  await tx.gate.createMany({
    data: [state.gate, state.verification].map((g) => ({ runId, kind: g.kind, status: g.status, requiredApprovals: g.requiredApprovals })),
  });
  await tx.rolloutStep.createMany({
    data: state.steps.map((s, index) => ({ runId, index, kind: s.kind, label: s.label, percent: s.percent, holdMs: s.holdMs, status: "pending", region: s.region ?? null })),
  });
}

/**
 * Writes a transition: the authoritative state snapshot plus the queryable projection, the
 * decisions and the outbox of effects — all in the caller's transaction.
 */
export async function persistTransition(
  tx: Tx,
  runId: string,
  prev: RunState,
  next: RunState,
  decisions: DecisionRecord[],
  effects: RunEffect[],
  now: Date,
): Promise<void> {
  const deadline = nextDeadline(next);
  const { serviceId } = await tx.releaseRun.update({
    where: { id: runId },
    select: { serviceId: true },
    data: {
      state: next as unknown as object,
      status: next.status,
      phase: next.phase,
      deadlineAt: deadline === null ? null : new Date(deadline),
      finishedAt: next.finishedAt === null ? null : new Date(next.finishedAt),
      outcomeReason: next.outcome,
      // Region-by-region runs: the plan's states, queryable without parsing the state (issue 15).
      ...(next.regionPlan ? { regionPlan: next.regionPlan as unknown as object } : {}),
    },
  });
  if (next.status === "succeeded" && prev.status !== "succeeded" && next.params.environment === "production" && !next.params.flag) {
    // Released to production: this version is now the one in service, the next run's baseline.
    // (A flag run releases a variant, not a version: the flag router made it the flag's default.)
    await tx.service.update({ where: { id: serviceId }, data: { currentVersion: next.params.targetVersion } });
  }
  await projectPhases(tx, runId, prev, next, now);
  await projectAgents(tx, runId, prev, next, now);
  await projectGate(tx, runId, prev.gate, next.gate, now);
  await projectGate(tx, runId, prev.verification, next.verification, now);
  await projectSteps(tx, runId, prev, next, now);
  await projectRollback(tx, runId, prev, next, now);
  if (decisions.length > 0) {
    await tx.decision.createMany({
      data: decisions.map((d) => ({ runId, stepIndex: d.stepIndex, trigger: d.trigger, verdict: d.verdict, reason: d.reason, evidence: d.evidence, region: d.region ?? null })),
    });
  }
  if (effects.length > 0) {
    // A message is about the moment it was written in: the page drops it once the run has left that status.
    const stored = effects.map((e) => (e.kind === "notify" ? { ...e, forStatus: next.status } : e));
    await tx.effect.createMany({ data: stored.map((e) => ({ runId, kind: e.kind, payload: e as unknown as object })) });
  }
}

function phaseStatus(state: RunState, phase: Exclude<Phase, "done">): string | null {
  const at = PHASES.indexOf(state.phase);
  const idx = PHASES.indexOf(phase);
  if (state.phase === "done") return null; // closed by the terminal transition below
  if (idx < at) return "done";
  if (idx > at) return "pending";
  return state.waitingFor === "waiver" ? "blocked" : "running";
}

async function projectPhases(tx: Tx, runId: string, prev: RunState, next: RunState, now: Date): Promise<void> {
  if (prev.phase === next.phase && prev.waitingFor === next.waitingFor && prev.status === next.status) return;
  for (const kind of PROCEDURE_PHASES) {
    const before = phaseStatus(prev, kind);
    let after = phaseStatus(next, kind);
    if (next.phase === "done") {
      // Terminal: the phase the run ended in takes the outcome; later ones are skipped.
      const endedIn = prev.phase === "done" ? null : prev.phase;
      if (kind === endedIn) after = next.status === "succeeded" ? "done" : next.status;
      else after = before === "pending" ? "skipped" : before;
      if (next.status === "succeeded" && kind === "record") after = "done";
    }
    if (after === null || after === before) continue;
    await tx.runPhase.update({
      where: { runId_kind: { runId, kind } },
      data: {
        status: after,
        ...(after === "running" || after === "blocked" ? { startedAt: now } : {}),
        ...(after !== "running" && after !== "blocked" && after !== "pending" ? { finishedAt: now } : {}),
      },
    });
  }
}

async function projectAgents(tx: Tx, runId: string, prev: RunState, next: RunState, now: Date): Promise<void> {
  for (const a of next.agents) {
    const old = prev.agents.find((p) => p.phase === a.phase && p.agent === a.agent);
    if (old && old.status === a.status && old.summary === a.summary) continue;
    const finished = !["pending", "running"].includes(a.status);
    await tx.agentTask.update({
      where: { runId_phase_agent: { runId, phase: a.phase, agent: a.agent } },
      data: {
        status: a.status,
        summary: a.summary || null,
        ...(a.status === "running" ? { startedAt: now } : {}),
        ...(finished ? { finishedAt: now, progress: 100 } : {}),
      },
    });
  }
}

async function projectGate(tx: Tx, runId: string, prev: GateState, next: GateState, now: Date): Promise<void> {
  if (JSON.stringify(prev) === JSON.stringify(next)) return;
  const gate = await tx.gate.update({
    where: { runId_kind: { runId, kind: next.kind } },
    data: {
      status: next.status,
      requiredApprovals: next.requiredApprovals,
      blockers: next.blockers as unknown as object,
      ...(prev.status === "waiting" && next.status !== "waiting" ? { openedAt: now } : {}),
      ...(next.status === "approved" || next.status === "rejected" ? { closedAt: now } : {}),
    },
  });
  const added = next.approvals.filter((a) => !prev.approvals.some((p) => p.userId === a.userId));
  for (const a of added) {
    await tx.approval.create({ data: { gateId: gate.id, userId: a.userId, userName: a.name, decision: "approve" } });
  }
  if (next.rejected && !prev.rejected) {
    await tx.approval.create({ data: { gateId: gate.id, userId: next.rejected.by, userName: next.rejected.by, decision: "reject", reason: next.rejected.reason } });
  }
}

function stepStatus(state: RunState, index: number): string {
  if (state.stepIndex < 0 || index > state.stepIndex) return state.phase === "done" ? "skipped" : "pending";
  if (index < state.stepIndex) return "done";
  if (state.phase !== "rollout") return state.status === "succeeded" || state.phase === "post_deploy" || state.phase === "record" ? "done" : "stopped";
  if (state.status === "paused") return "paused";
  return state.stepPhase ?? "pending";
}

async function projectSteps(tx: Tx, runId: string, prev: RunState, next: RunState, now: Date): Promise<void> {
  for (let index = 0; index < next.steps.length; index++) {
    const before = stepStatus(prev, index);
    const after = stepStatus(next, index);
    const holdChanged = index === next.stepIndex && prev.holdEndsAt !== next.holdEndsAt;
    if (before === after && !holdChanged) continue;
    await tx.rolloutStep.update({
      where: { runId_index: { runId, index } },
      data: {
        status: after,
        deadlineAt: index === next.stepIndex && next.holdEndsAt !== null ? new Date(next.holdEndsAt) : undefined,
        ...(before === "pending" && after !== "pending" ? { startedAt: now } : {}),
        ...(before === "shifting" && after === "holding" ? { weightConfirmedAt: now } : {}),
        ...(["done", "stopped", "skipped"].includes(after) ? { finishedAt: now } : {}),
      },
    });
  }
}

/** When a rollback step started or ended, from the status it has just reached. */
function rollbackStepTimes(status: string, now: Date): { startedAt?: Date; finishedAt?: Date } {
  if (status === "running") return { startedAt: now };
  return ["done", "failed", "skipped"].includes(status) ? { finishedAt: now } : {};
}

async function projectRollback(tx: Tx, runId: string, prev: RunState, next: RunState, now: Date): Promise<void> {
  const rb = next.rollback;
  if (!rb) return;
  if (!prev.rollback) {
    // A new rollback: its steps are written once, as they stand now.
    await tx.rollback.create({
      data: {
        runId,
        reason: rb.reason,
        requestedBy: rb.requestedBy,
        status: "running",
        startedAt: new Date(rb.startedAt),
        steps: {
          create: rb.steps.map((s, index) => ({ index, kind: s.kind, status: s.status, detail: s.detail, ...rollbackStepTimes(s.status, now) })),
        },
      },
    });
  } else {
    const changed = rb.steps.flatMap((s, index) => {
      const old = prev.rollback?.steps[index];
      return old && old.status === s.status && old.detail === s.detail ? [] : [{ s, index }];
    });
    if (changed.length > 0) {
      const row = await tx.rollback.findUniqueOrThrow({ where: { runId }, select: { id: true } });
      for (const { s, index } of changed) {
        await tx.rollbackStep.update({
          where: { rollbackId_index: { rollbackId: row.id, index } },
          data: { status: s.status, detail: s.detail, ...rollbackStepTimes(s.status, now) },
        });
      }
    }
  }
  if (next.status !== "rolling_back" && prev.status === "rolling_back") {
    await tx.rollback.update({ where: { runId }, data: { status: next.status === "rolled_back" ? "done" : "failed", finishedAt: now } });
  }
}
