import type { Db } from "../db/client.ts";
import { successCriteria, type Criterion } from "../core/success-criteria.ts";
import type { AgentName, RunState, Severity } from "../core/types.ts";

/** What is stored beside a run that its success criteria read. */
export type StoredCriteriaFacts = {
  /** the run's findings with their agent */
  findings: { agent: string; check: string | null; severity: string; message: string }[];
  /** summaries of the notifications that reached people (audited as run.notify), oldest first */
  notifications: string[];
  /** versions of the release record written */
  recordVersions: number;
};

/**
 * A run's success criteria from what is stored beside it. Shared by the run page (which has
 * loaded these rows already) and the release record, so both say the same.
 */
export function criteriaFrom(run: { state: RunState; runbook: string }, stored: StoredCriteriaFacts): Criterion[] {
  return successCriteria({
    state: run.state,
    findings: stored.findings.map((f) => ({ agent: f.agent as AgentName, check: f.check, severity: f.severity as Severity, message: f.message })),
    hasRunbook: run.runbook.trim().length > 0,
    notifications: stored.notifications,
    recordVersions: stored.recordVersions,
  });
}

/**
 * A run's success criteria, reading its findings, the notifications that reached people and the
 * record versions written; `writingRecord` counts the record being written.
 */
export async function runCriteria(db: Db, run: { id: string; state: RunState; runbook: string }, opts: { writingRecord?: boolean } = {}): Promise<Criterion[]> {
  const [findings, notifications, recordVersions] = await Promise.all([
    db.finding.findMany({ where: { runId: run.id }, select: { check: true, severity: true, message: true, task: { select: { agent: true } } } }),
    // Only notifications that reached people are audited (run.notify); the server log alone is not "the team".
    db.auditEvent.findMany({ where: { runId: run.id, action: "run.notify" }, orderBy: { id: "asc" }, select: { summary: true } }),
    db.releaseRecord.count({ where: { runId: run.id } }),
  ]);
  return criteriaFrom(run, {
    findings: findings.map((f) => ({ agent: f.task.agent, check: f.check, severity: f.severity, message: f.message })),
    notifications: notifications.map((n) => n.summary),
    // The record being written documents the release it describes.
    recordVersions: recordVersions + (opts.writingRecord ? 1 : 0),
  });
}
