import type { Db } from "../db/client.ts";
import type { RunState } from "../core/types.ts";

/**
 * Writes the next version of a run's release record (Markdown): what changed, every agent's
 * result, decisions and approvals, the runbook, and on rollback a post-mortem draft.
 */
export async function writeReleaseRecord(db: Db, runId: string): Promise<void> {
  const run = await db.releaseRun.findUniqueOrThrow({
    where: { id: runId },
    include: {
      service: true,
      decisions: { orderBy: { createdAt: "asc" } },
      findings: { orderBy: { createdAt: "asc" } },
      gates: { include: { approvals: true } },
    },
  });
  const state = run.state as unknown as RunState;
  const p = state.params;
  const lines: string[] = [
    `# Release record — ${run.service.name} ${p.targetVersion} (${p.environment})`,
    "",
    `Run #${run.number} · strategy ${p.strategy} · risk ${p.risk} · compliance ${p.compliance} · router ${p.router}`,
    "",
    "## What changed",
    `- Version: ${p.baselineVersion} → ${p.targetVersion}`,
    `- Outcome: **${state.status.replace("_", " ")}**${state.outcome ? ` — ${state.outcome}` : ""}`,
    "",
    "## Agents",
    "| phase | agent | result | summary |",
    "| --- | --- | --- | --- |",
    ...state.agents.map((a) => `| ${a.phase} | ${a.agent} | ${a.status} | ${a.summary.replace(/\|/g, "\\|")} |`),
    "",
    "## Findings",
    ...(run.findings.length === 0 ? ["None."] : run.findings.map((f) => `- **${f.severity}** ${f.message}`)),
    "",
    "## Approvals",
    ...run.gates.flatMap((g) => g.approvals.map((a) => `- ${g.kind}: ${a.decision} by ${a.userName} at ${a.createdAt.toISOString()}${a.reason ? ` — ${a.reason}` : ""}`)),
    ...(state.gate.blockers.filter((b) => b.waived).map((b) => `- waived "${b.message}" by ${b.waived?.by}: ${b.waived?.reason}`)),
    "",
    "## Decisions",
    ...run.decisions.map((d) => `- ${d.createdAt.toISOString()} · ${d.verdict} · ${d.reason}`),
    "",
    "## Runbook and incident response",
    run.service.runbook || "_No runbook recorded for this service._",
  ];
  if (state.rollback) {
    lines.push(
      "",
      "## Post-mortem draft",
      `- Rollback requested by ${state.rollback.requestedBy}${state.rollback.trigger ? ` (trigger: ${state.rollback.trigger})` : ""}`,
      `- Reason: ${state.rollback.reason}`,
      `- Canary traffic at the time: ${state.canaryPercent}% (step ${state.stepIndex + 1} of ${state.steps.length})`,
      ...state.rollback.steps.map((s) => `- ${s.kind}: ${s.status}${s.detail ? ` — ${s.detail}` : ""}`),
      "- Impact: _to be completed_",
      "- Root cause: _to be completed_",
      "- Follow-ups: _to be completed_",
    );
  }
  const last = await db.releaseRecord.findFirst({ where: { runId }, orderBy: { version: "desc" }, select: { version: true } });
  await db.releaseRecord.upsert({
    where: { runId_version: { runId, version: (last?.version ?? 0) + 1 } },
    create: { runId, version: (last?.version ?? 0) + 1, markdown: lines.join("\n") },
    update: {},
  });
}
