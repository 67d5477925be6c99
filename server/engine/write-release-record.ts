import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { ReadRecordMaterial } from "./ports.ts";
import { loadRunForRecord } from "../db/run-repository.ts";
import { saveReleaseRecord } from "../db/release-record-repository.ts";
import { expandPlaceholders, releasePlaceholders } from "../core/placeholders.ts";
import { buildReleaseRecord } from "../core/record/build-record.ts";
import type { RecordFinding } from "../core/record/document.ts";
import type { DecidingEvaluation, EvaluationLine, PostMortemFacts } from "../core/record/input.ts";
import { ROLLBACK_STEPS, type RollbackStepKind, type RunState, type Severity } from "../core/types.ts";
import { runCriteria } from "../services/criteria.ts";
import { decide } from "../core/decide.ts";

/**
 * Gathers a run's facts and writes the next version of its release record (a structured
 * document, built by the core): what changed (versions, configuration differences, release
 * notes), the success criteria, every agent's results with their findings, approvals, waivers and
 * decisions, the runbook, and on rollback a post-mortem draft with the deciding evaluation.
 */
export async function writeReleaseRecord(db: Db, runId: string, now: number, readRecordMaterial: ReadRecordMaterial): Promise<void> {
  const run = await loadRunForRecord(db, runId);
  const state = recordedState(run.state, now);
  const checks = run.environment.checks as Record<string, unknown> | null;
  const architect = expandPlaceholders(checks?.["code-architect"], releasePlaceholders(state.params));
  const material = architect.ok ? await readRecordMaterial(architect.value) : { configChanges: `placeholders without a value: ${architect.missing.join(", ")}`, releaseNotes: null };

  const findingsOf = (agent: string, phase: string): RecordFinding[] =>
    run.agentTasks
      .find((t) => t.agent === agent && t.phase === phase)
      ?.findings.map((f) => ({ severity: f.severity as Severity, check: f.check, message: f.message, evidence: f.evidence, link: f.link })) ?? [];

  const document = buildReleaseRecord({
    number: run.number,
    serviceName: run.service.name,
    state,
    agents: state.agents.map((a) => ({ ...a, findings: findingsOf(a.agent, a.phase) })),
    criteria: await runCriteria(db, { id: runId, state, runbook: run.service.runbook }, { writingRecord: true }),
    approvals: run.gates.flatMap((g) => g.approvals.map((a) => ({ gate: g.kind, decision: a.decision, by: a.userName, at: a.createdAt.toISOString(), reason: a.reason }))),
    decisions: run.decisions.map((d) => ({ at: d.createdAt.toISOString(), verdict: d.verdict, trigger: d.trigger, reason: d.reason, evidence: d.evidence as Record<string, unknown>, region: d.region })),
    configChanges: material.configChanges,
    releaseNotes: material.releaseNotes,
    runbook: run.service.runbook,
    writtenAt: new Date(now).toISOString(),
    postMortem: state.rollback ? await postMortemFacts(db, runId, state, run.rollback?.steps ?? []) : null,
  });
  await saveReleaseRecord(db, runId, document);
}

/**
 * The record is written by the rollback's last step (the post-mortem), while the run still says
 * "rolling back"; a record must never stop there. The state it records is the one the core will
 * reach when that step finishes (rolled back, or failed if traffic could not be reverted) —
 * computed by the core's own transition, not restated here.
 */
function recordedState(state: RunState, now: number): RunState {
  const writing = state.status === "rolling_back" ? state.rollback?.steps.find((r) => r.status === "running") : undefined;
  if (writing?.kind !== "postmortem") return state;
  const after = decide(state, { kind: "rollbackStepFinished", step: "postmortem", status: "done", detail: "Post-mortem draft written to the release record" }, now);
  return after.rejected ? state : after.state;
}

/** What the post-mortem reads beyond the run state: who asked, the deciding evaluation, when each step finished. */
async function postMortemFacts(db: Db, runId: string, state: RunState, steps: { kind: string; finishedAt: Date | null }[]): Promise<PostMortemFacts> {
  const rb = state.rollback;
  const requester = rb && rb.requestedBy !== "engine" ? await db.user.findUnique({ where: { id: rb.requestedBy }, select: { name: true } }) : null;
  // The evaluation that decided an automatic rollback (a run rolls back once: the first such
  // verdict), else the last one before the rollback began.
  const evaluation =
    (rb?.requestedBy === "engine" ? await db.analysisEvaluation.findFirst({ where: { runId, verdict: "rollback" }, orderBy: { id: "asc" } }) : null) ??
    (await db.analysisEvaluation.findFirst({ where: { runId, at: { lte: new Date(rb?.startedAt ?? 0) } }, orderBy: { id: "desc" } }));
  const stepFinishedAt: Partial<Record<RollbackStepKind, string>> = {};
  for (const s of steps) {
    const kind = ROLLBACK_STEPS.find((k) => k === s.kind);
    if (kind && s.finishedAt) stepFinishedAt[kind] = s.finishedAt.toISOString();
  }
  return {
    requestedByName: requester?.name ?? null,
    evaluation: evaluation ? deciding(evaluation) : null,
    stepFinishedAt,
  };
}

/** One trigger's stored evaluation (the analysis loop's JSON, where Infinity became null), as far as the record shows it. */
const ZStoredLine = z.object({
  trigger: z.string(),
  verdict: z.string(),
  n: z.number(),
  k: z.number(),
  observedRate: z.number().nullable().optional(),
  message: z.string(),
});

function deciding(row: { at: Date; verdict: string; summary: string; evaluations: unknown }): DecidingEvaluation {
  const raw = Array.isArray(row.evaluations) ? row.evaluations : [];
  // A line this version cannot read is left out rather than failing the whole record.
  const lines: EvaluationLine[] = raw.flatMap((item) => {
    const parsed = ZStoredLine.safeParse(item);
    return parsed.success ? [{ ...parsed.data, observedRate: parsed.data.observedRate ?? null }] : [];
  });
  return { at: row.at.toISOString(), verdict: row.verdict, summary: row.summary, lines };
}
