import type { Criterion } from "./success-criteria.ts";
import { SEVERITIES, type AgentState, type RunState, type Severity } from "./types.ts";

/** One configuration key that differs between the baseline's and the target's configuration. */
export type ConfigChange = { key: string; kind: "added" | "removed" | "changed"; before?: string; after?: string };

/** Keys whose values never go into a record, whatever file they come from. */
const SECRET_KEY = /secret|password|passwd|token|api[-_]?key|private[-_]?key|credential|dsn/i;
const MAX_VALUE_CHARS = 120;
/** Credentials inside a URL value (`postgres://user:pw@host`), whatever its key is called. */
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"]+@/gi;

function clip(v: string): string {
  return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS)}…` : v;
}

/**
 * The differences between two configurations (parsed JSON or YAML), key by key with dotted
 * paths (`cache.ttlSeconds`, `features[2]`), sorted. Values of secret-looking keys are redacted.
 */
export function diffConfig(before: unknown, after: unknown): ConfigChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const changes: ConfigChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(key);
    const now = b.get(key);
    if (was === now) continue;
    const show = (v: string) => (SECRET_KEY.test(key) ? "[redacted]" : clip(v.replace(USERINFO, "$1[redacted]@")));
    if (was === undefined && now !== undefined) changes.push({ key, kind: "added", after: show(now) });
    else if (now === undefined && was !== undefined) changes.push({ key, kind: "removed", before: show(was) });
    else if (was !== undefined && now !== undefined) changes.push({ key, kind: "changed", before: show(was), after: show(now) });
  }
  return changes;
}

function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix || "(root)", JSON.stringify(value) ?? "undefined");
  return out;
}

/** A finding as the record lists it. */
export type RecordFinding = { severity: Severity; check: string | null; message: string; evidence: string; link: string | null };

/** Everything a release record says, gathered by the engine. */
export type ReleaseRecordInput = {
  number: number;
  serviceName: string;
  state: RunState;
  /** per agent, in procedure order, with its findings */
  agents: (AgentState & { findings: RecordFinding[] })[];
  criteria: Criterion[];
  approvals: { gate: string; decision: string; by: string; at: string; reason: string | null }[];
  decisions: { at: string; verdict: string; trigger: string; reason: string; evidence: Record<string, unknown> }[];
  /** configuration differences baseline → target; a string says why they are unknown; null: not configured */
  configChanges: ConfigChange[] | string | null;
  /** the target's release notes; a string starting with "_" says why they are missing; null: not configured */
  releaseNotes: string | null;
  runbook: string;
  /** when this version of the record was written (ISO) */
  writtenAt: string;
};

/** Findings per agent listed in full; beyond this they are counted. */
const FINDINGS_PER_AGENT = 25;
const EVIDENCE_CHARS = 400;

/** The release record (code-architect) as Markdown. */
export function renderReleaseRecord(r: ReleaseRecordInput): string {
  const s = r.state;
  const p = s.params;
  const lines: string[] = [
    `# Release record — ${r.serviceName} ${p.targetVersion} (${p.environment})`,
    "",
    `Run #${r.number} · strategy ${p.strategy} · risk ${p.risk} · compliance ${p.compliance} · router ${p.router} · written ${r.writtenAt}`,
    "",
    "## What changed",
    `- Version: ${p.baselineVersion} → ${p.targetVersion}`,
    `- Outcome: ${outcomeOf(s)}`,
    ...configSection(r.configChanges),
    ...(r.releaseNotes === null ? [] : ["", "### Release notes", "", nested(r.releaseNotes.trim())]),
    "",
    "## Success criteria",
    "| criterion | status | evidence |",
    "| --- | --- | --- |",
    ...r.criteria.map((c) => `| ${c.label} | ${c.status === "missing" ? "no evidence" : c.status} | ${cell(c.detail)} |`),
    "",
    "## Agents",
    "| phase | agent | result | summary |",
    "| --- | --- | --- | --- |",
    ...r.agents.map((a) => `| ${a.phase} | ${a.agent} | ${a.status.replaceAll("_", " ")} | ${cell(a.summary)} |`),
    ...r.agents.flatMap(agentDetail),
    "",
    "## Approvals and waivers",
    ...orNone([
      ...r.approvals.map((a) => `- ${a.gate}: ${a.decision} by ${a.by} at ${a.at}${a.reason ? ` — ${a.reason}` : ""}`),
      ...[...s.gate.blockers, ...s.verification.blockers]
        .filter((b) => b.waived)
        .map((b) => `- waived “${b.message}” by ${b.waived?.by} at ${new Date(b.waived?.at ?? 0).toISOString()}: ${b.waived?.reason}`),
    ]),
    "",
    "## Decisions",
    ...orNone(r.decisions.map((d) => `- ${d.at} · **${d.verdict}** (${d.trigger}) · ${d.reason}`)),
    "",
    "## Runbook and incident response",
    r.runbook.trim() || "_No runbook recorded for this service._",
  ];
  if (s.rollback) lines.push("", ...postMortem(r));
  return `${lines.join("\n")}\n`;
}

function configSection(changes: ReleaseRecordInput["configChanges"]): string[] {
  if (changes === null) return [];
  if (typeof changes === "string") return ["", "### Configuration differences", "", `_Unknown: ${changes}_`];
  if (changes.length === 0) return ["", "### Configuration differences", "", "None: the baseline's and the target's configuration are the same."];
  return [
    "",
    "### Configuration differences",
    "| key | change | baseline | target |",
    "| --- | --- | --- | --- |",
    ...changes.map((c) => `| \`${c.key}\` | ${c.kind} | ${cell(c.before ?? "—")} | ${cell(c.after ?? "—")} |`),
  ];
}

function agentDetail(a: ReleaseRecordInput["agents"][number]): string[] {
  const rank = (f: RecordFinding) => SEVERITIES.indexOf(f.severity);
  const shown = [...a.findings].sort((x, y) => rank(x) - rank(y)).filter((f) => f.severity !== "info" || a.findings.length <= FINDINGS_PER_AGENT);
  const listed = shown.slice(0, FINDINGS_PER_AGENT);
  const counts = SEVERITIES.map((sev) => `${a.counts[sev]} ${sev}`).join(", ");
  return [
    "",
    `### ${a.agent} — ${a.status.replaceAll("_", " ")}`,
    "",
    a.summary || "_No summary._",
    "",
    `Findings: ${counts}.`,
    ...listed.map((f) => `- **${f.severity}**${f.check ? ` [${f.check}]` : ""} ${oneLine(f.message)}${f.evidence ? ` — evidence: ${oneLine(f.evidence).slice(0, EVIDENCE_CHARS)}` : ""}${f.link ? ` (${f.link})` : ""}`),
    ...(a.findings.length > listed.length ? [`- … ${a.findings.length - listed.length} more finding(s) on the run page`] : []),
  ];
}

function postMortem(r: ReleaseRecordInput): string[] {
  const s = r.state;
  const rb = s.rollback;
  if (!rb) return [];
  const rollbackDecision = [...r.decisions].reverse().find((d) => d.verdict === "rollback");
  return [
    "## Post-mortem draft",
    `- Rollback requested by ${rb.requestedBy}${rb.trigger ? ` (trigger: ${rb.trigger})` : ""} at ${new Date(rb.startedAt).toISOString()}`,
    `- Reason: ${rb.reason}`,
    // Traffic is back at 0% by the time this is written: the deciding evidence knows what it was.
    `- Canary when rolled back: step ${s.stepIndex + 1} of ${s.steps.length}${typeof rollbackDecision?.evidence.canaryPercent === "number" ? ` at ${rollbackDecision.evidence.canaryPercent}% of traffic` : ""}`,
    ...(rollbackDecision ? [`- Evidence: ${rollbackDecision.reason}`, `- Numbers: \`${JSON.stringify(rollbackDecision.evidence).slice(0, 600)}\``] : []),
    ...(s.analysis ? [`- Last canary analysis: ${s.analysis.summary}`] : []),
    "- Rollback procedure:",
    ...rb.steps.map((st) => `  - ${st.kind.replaceAll("_", " ")}: ${st.kind === "postmortem" && st.status === "running" ? "this draft" : st.status}${st.detail ? ` — ${st.detail}` : ""}`),
    "- Impact: _to be completed_",
    "- Root cause: _to be completed_",
    "- Follow-ups: _to be completed_",
  ];
}

/** The record is written as the run's last step, before its status says so: a run at that step has been released. */
function outcomeOf(s: RunState): string {
  if (s.phase === "record" && s.status === "running") return `**succeeded** — ${s.params.targetVersion} serves all traffic; this record completes the run`;
  return `**${s.status.replaceAll("_", " ")}**${s.outcome ? ` — ${s.outcome}` : ""}`;
}

/** Quoted Markdown (release notes) with its headings moved below the record's own. */
function nested(markdown: string): string {
  return markdown.replace(/^(#{1,3})(\s)/gm, "###$1$2");
}

function orNone(lines: string[]): string[] {
  return lines.length > 0 ? lines : ["None."];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return oneLine(text).replaceAll("|", "\\|");
}
