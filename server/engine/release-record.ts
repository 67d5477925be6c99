import type { Db } from "../db/client.ts";
import { expandPlaceholders, releasePlaceholders } from "../core/placeholders.ts";
import { renderReleaseRecord, type RecordFinding } from "../core/release-record.ts";
import type { RunState, Severity } from "../core/types.ts";
import { readRecordMaterial } from "../adapters/checks/release-record-material.ts";
import { runCriteria } from "../services/criteria.ts";

/**
 * Writes the next version of a run's release record (Markdown): what changed (versions,
 * configuration differences, release notes), the success criteria, every agent's results with
 * their findings, approvals, waivers and decisions, the runbook, and on rollback a post-mortem
 * draft with the evidence.
 */
export async function writeReleaseRecord(db: Db, runId: string, now: number): Promise<void> {
  const run = await db.releaseRun.findUniqueOrThrow({
    where: { id: runId },
    include: {
      service: true,
      environment: { select: { checks: true } },
      decisions: { orderBy: { createdAt: "asc" } },
      agentTasks: { include: { findings: { orderBy: { createdAt: "asc" } } } },
      gates: { include: { approvals: { orderBy: { createdAt: "asc" } } } },
    },
  });
  const state = run.state as unknown as RunState;
  const checks = run.environment.checks as Record<string, unknown> | null;
  const architect = expandPlaceholders(checks?.["code-architect"], releasePlaceholders(state.params));
  const material = architect.ok ? await readRecordMaterial(architect.value) : { configChanges: `placeholders without a value: ${architect.missing.join(", ")}`, releaseNotes: null };

  const findingsOf = (agent: string, phase: string): RecordFinding[] =>
    run.agentTasks
      .find((t) => t.agent === agent && t.phase === phase)
      ?.findings.map((f) => ({ severity: f.severity as Severity, check: f.check, message: f.message, evidence: f.evidence, link: f.link })) ?? [];

  const markdown = renderReleaseRecord({
    number: run.number,
    serviceName: run.service.name,
    state,
    agents: state.agents.map((a) => ({ ...a, findings: findingsOf(a.agent, a.phase) })),
    criteria: await runCriteria(db, { id: runId, state, runbook: run.service.runbook }, { writingRecord: true }),
    approvals: run.gates.flatMap((g) => g.approvals.map((a) => ({ gate: g.kind, decision: a.decision, by: a.userName, at: a.createdAt.toISOString(), reason: a.reason }))),
    decisions: run.decisions.map((d) => ({ at: d.createdAt.toISOString(), verdict: d.verdict, trigger: d.trigger, reason: d.reason, evidence: d.evidence as Record<string, unknown> })),
    configChanges: material.configChanges,
    releaseNotes: material.releaseNotes,
    runbook: run.service.runbook,
    writtenAt: new Date(now).toISOString(),
  });
  const last = await db.releaseRecord.findFirst({ where: { runId }, orderBy: { version: "desc" }, select: { version: true } });
  await db.releaseRecord.upsert({
    where: { runId_version: { runId, version: (last?.version ?? 0) + 1 } },
    create: { runId, version: (last?.version ?? 0) + 1, markdown },
    update: {},
  });
}
