import type { Db } from "../db/client.ts";
import { successCriteria, type Criterion } from "../core/success-criteria.ts";
import type { AgentName, RunState, Severity } from "../core/types.ts";

/**
 * A run's success criteria from what is stored beside it: its findings, the notifications that
 * reached people (audited as run.notify), the service's runbook and the record versions written.
 * Shared by the run page and the release record, so both say the same; `writingRecord` counts the
 * record being written.
 */
export async function runCriteria(db: Db, run: { id: string; state: RunState; runbook: string }, opts: { writingRecord?: boolean } = {}): Promise<Criterion[]> {
  const [findings, notifications, recordVersions] = await Promise.all([
    db.finding.findMany({ where: { runId: run.id }, select: { check: true, severity: true, message: true, task: { select: { agent: true } } } }),
    // Only notifications that reached people are audited (run.notify); the server log alone is not "the team".
    db.auditEvent.findMany({ where: { runId: run.id, action: "run.notify" }, orderBy: { id: "asc" }, select: { summary: true } }),
    db.releaseRecord.count({ where: { runId: run.id } }),
  ]);
  return successCriteria({
    state: run.state,
    findings: findings.map((f) => ({ agent: f.task.agent as AgentName, check: f.check, severity: f.severity as Severity, message: f.message })),
    hasRunbook: run.runbook.trim().length > 0,
    notifications: notifications.map((n) => n.summary),
    // The record being written documents the release it describes.
    recordVersions: recordVersions + (opts.writingRecord ? 1 : 0),
  });
}
