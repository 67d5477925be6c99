/**
 * The release record (code-architect) as a document, from the run's facts: what changed, the
 * success criteria, every agent's results, approvals, waivers and decisions, the runbook, and on
 * rollback a post-mortem draft. Pure: the engine gathers the facts and stores the result.
 */
import { SEVERITIES, type RunState } from "../types.ts";
import { RECORD_FORMAT, type Block, type Span, type RecordDocument, type RecordFinding, type RecordSection, type RecordSubsection } from "./document.ts";
import type { ReleaseRecordInput } from "./input.ts";
import { postMortemSection } from "./post-mortem.ts";
import { code, fact, note, paragraph, status, strong, table, text, utc, words } from "./spans.ts";
import { utcMinute } from "../change-freeze.ts";

/** Findings per agent listed in full; beyond this they are counted. */
const FINDINGS_PER_AGENT = 25;
const EVIDENCE_CHARS = 400;

/** The release record of a run, in whatever state the run is. */
export function buildReleaseRecord(r: ReleaseRecordInput): RecordDocument {
  const s = r.state;
  const p = s.params;
  const sections: RecordSection[] = [
    {
      id: "what-changed",
      title: "What changed",
      // A flag run (issue 15) changed a flag's variant, not the version.
      blocks: [{ kind: "facts", facts: [p.flag ? fact("Flag", `${p.flag.key}: ${p.flag.baselineVariant} → ${p.flag.variant}`) : fact("Version", `${p.baselineVersion} → ${p.targetVersion}`), fact("Outcome", ...outcomeOf(s))] }],
      subsections: [configSubsection(r.configChanges), ...(r.releaseNotes === null ? [] : [notesSubsection(r.releaseNotes)])].filter((x) => x !== null),
    },
    {
      id: "success-criteria",
      title: "Success criteria",
      blocks: [table("Success criteria", ["criterion", "status", "evidence"], r.criteria.map((c) => [c.label, [status(c.status, c.status === "missing" ? "no evidence" : undefined)], c.detail]))],
      subsections: [],
    },
    {
      id: "agents",
      title: "Agents",
      blocks: [table("Agents", ["phase", "agent", "result", "summary"], r.agents.map((a) => [words(a.phase), [code(a.agent)], [status(a.status)], a.summary]))],
      subsections: r.agents.map(agentSubsection),
    },
    approvalsSection(r),
    {
      id: "decisions",
      title: "Decisions",
      blocks: [r.decisions.length === 0 ? note("No decisions yet.") : table("Decisions", ["time", "verdict", "trigger", "reason"], r.decisions.map((d) => [utc(d.at), [status(d.verdict)], [code(d.trigger)], d.reason]))],
      subsections: [],
    },
    {
      id: "runbook",
      title: "Runbook and incident response",
      blocks: [r.runbook.trim() ? { kind: "verbatim", caption: `Runbook of ${r.serviceName}`, text: r.runbook.trim() } : note("No runbook recorded for this service.")],
      subsections: [],
    },
  ];
  const regions = regionsSection(r);
  if (regions) sections.splice(sections.findIndex((x) => x.id === "decisions"), 0, regions);
  if (s.rollback) sections.push(postMortemSection(r, s.rollback));
  return {
    format: RECORD_FORMAT,
    title: `Release record — ${r.serviceName} ${p.targetVersion} (${p.environment})`,
    summary: [
      fact("Run", `#${r.number}`),
      fact("Strategy", p.strategy),
      fact("Risk", p.risk),
      fact("Compliance", p.compliance),
      fact("Router", p.router),
      fact("Written", utc(r.writtenAt)),
    ],
    sections,
  };
}

function configSubsection(changes: ReleaseRecordInput["configChanges"]): RecordSubsection | null {
  const sub = (blocks: Block[]): RecordSubsection => ({ id: "configuration", title: "Configuration differences", blocks });
  if (changes === null) return null;
  if (typeof changes === "string") return sub([paragraph(strong("Unknown:"), ` ${changes}`)]);
  if (changes.length === 0) return sub([paragraph("None: the baseline's and the target's configuration are the same.")]);
  return sub([
    table(
      "Configuration differences",
      ["key", "change", "baseline", "target"],
      changes.map((c) => [[code(c.key)], c.kind, c.before === undefined ? "—" : [code(c.before)], c.after === undefined ? "—" : [code(c.after)]]),
    ),
  ]);
}

/** Release notes are the target's own Markdown: quoted as written, never interpreted (their headings are not the record's). */
function notesSubsection(notes: string): RecordSubsection {
  // The material reader marks notes it could not read with underscores: "_Release notes unavailable: …_".
  const missing = /^_([\s\S]*)_$/.exec(notes.trim());
  const blocks: Block[] = missing ? [paragraph(missing[1] ?? "")] : notes.trim() ? [{ kind: "verbatim", caption: "Release notes", text: notes.trim() }] : [note("The release notes are empty.")];
  return { id: "release-notes", title: "Release notes", blocks };
}

function agentSubsection(a: ReleaseRecordInput["agents"][number]): RecordSubsection {
  const rank = (f: RecordFinding) => SEVERITIES.indexOf(f.severity);
  // With many findings, info ones are counted, not listed: they would push the real ones out.
  const shown = [...a.findings].sort((x, y) => rank(x) - rank(y)).filter((f) => f.severity !== "info" || a.findings.length <= FINDINGS_PER_AGENT);
  const listed = shown.slice(0, FINDINGS_PER_AGENT).map((f) => ({ ...f, evidence: clip(f.evidence, EVIDENCE_CHARS) }));
  const counts = SEVERITIES.map((sev) => `${a.counts[sev]} ${sev}`).join(", ");
  return {
    id: `agent-${a.agent}`,
    title: `${a.agent} — ${words(a.status)}`,
    blocks: [
      a.summary ? paragraph(a.summary) : note("No summary."),
      paragraph(strong("Findings:"), ` ${counts}.`),
      ...(listed.length > 0 ? [{ kind: "findings" as const, findings: listed, more: a.findings.length - listed.length }] : []),
    ],
  };
}

function approvalsSection(r: ReleaseRecordInput): RecordSection {
  const s = r.state;
  const waived = [...s.gate.blockers, ...s.verification.blockers].flatMap((b) => (b.waived ? [{ message: b.message, ...b.waived }] : []));
  return {
    id: "approvals",
    title: "Approvals and waivers",
    blocks: [],
    subsections: [
      {
        id: "approvals-given",
        title: "Approvals",
        blocks: [
          r.approvals.length === 0
            ? note("No approvals or rejections.")
            : table("Approvals", ["gate", "decision", "by", "time", "reason"], r.approvals.map((a) => [a.gate, [status(a.decision)], a.by, utc(a.at), a.reason ?? "—"])),
        ],
      },
      {
        id: "waivers",
        title: "Waivers",
        blocks: [waived.length === 0 ? note("No blocker was waived.") : table("Waivers", ["blocker", "waived by", "time", "reason"], waived.map((w) => [w.message, w.by, utc(w.at), w.reason]))],
      },
      ...(s.policy.changeFreeze
        ? [
            {
              id: "change-freeze",
              title: "Change freeze",
              blocks: [
                table(
                  "Change freeze override",
                  ["freeze", "in effect until", "overridden by", "reason"],
                  [[s.policy.changeFreeze.freezeReason, `${utcMinute(s.policy.changeFreeze.until)} UTC`, s.policy.changeFreeze.overriddenBy, s.policy.changeFreeze.overrideReason]],
                ),
              ],
            },
          ]
        : []),
    ],
  };
}

/**
 * The run's outcome in a few words, for a run in any status. The record is written as the run's
 * last step, before its status says so: a run at that step has been released.
 */
function outcomeOf(s: RunState): Span[] {
  if (s.phase === "record" && s.status === "running") {
    const serves = s.params.flag ? `${s.params.flag.variant} is what every user of ${s.params.flag.key} gets` : `${s.params.targetVersion} serves all traffic`;
    return [status("succeeded"), text(` — ${serves}; this record completes the run`)];
  }
  switch (s.status) {
    case "running":
      return [status("running"), text(` — in ${words(s.phase)}${s.waitingFor ? `, waiting for ${words(s.waitingFor)}` : ""}; this record is provisional`)];
    case "paused":
      return [status("paused"), text(` — at ${words(s.phase)}; this record is provisional`)];
    case "rolling_back":
      return [status("rolling_back"), text(` — ${rollbackProgress(s)}`)];
    case "succeeded":
    case "rolled_back":
    case "failed":
    case "aborted":
      return [status(s.status), ...(s.outcome ? [text(` — ${s.outcome}`)] : [])];
    default: {
      const never: never = s.status;
      return [text(String(never))];
    }
  }
}

/** Where a rollback in progress stands, from its steps. */
function rollbackProgress(s: RunState): string {
  const steps = s.rollback?.steps ?? [];
  const open = steps.filter((st) => st.status === "pending" || st.status === "running");
  const reverted = steps.find((st) => st.kind === "revert_traffic");
  const back = s.params.flag ? `every user is back on ${s.params.flag.baselineVariant}` : `traffic is back on ${s.params.baselineVersion}`;
  const traffic = reverted?.status === "done" || reverted?.status === "skipped" ? back : "traffic is not yet back on the baseline";
  if (open.length === 1 && open[0]?.kind === "postmortem") return `${traffic}; this post-mortem draft is the procedure's last step`;
  return `${traffic}; ${open.length} rollback step(s) still to finish`;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

const REGION_OUTCOME: Record<string, string> = {
  pending: "not reached",
  active: "in progress",
  released: "released",
  failed: "failed, rolled back",
  rolledBack: "rolled back (a later region failed)",
  skipped: "not started",
};

/**
 * A region-by-region run: one subsection per region in wave order — its steps, its verdicts and
 * their evidence, and whether it was rolled back (issue 15). Null for a run without regions.
 */
function regionsSection(r: ReleaseRecordInput): RecordSection | null {
  const plan = r.state.regionPlan;
  if (!plan || plan.regions.length === 0) return null;
  return {
    id: "regions",
    title: "Regions",
    blocks: [
      paragraph(
        `Released wave by wave; a failing region stops the waves${plan.policy.rollbackReleasedRegions ? " and rolls back the regions already released" : " and the regions already released keep the release"}.`,
      ),
      table(
        "Regions",
        ["wave", "region", "time zone", "outcome", "why"],
        plan.regions.map((g) => [String(g.wave), [code(g.name)], g.timeZone, [status(g.state, REGION_OUTCOME[g.state] ?? g.state)], g.reason ?? "—"]),
      ),
    ],
    subsections: plan.regions.map((g): RecordSubsection => {
      const steps = r.state.steps.filter((x) => x.region === g.name);
      const decisions = r.decisions.filter((d) => d.region === g.name);
      return {
        id: `region-${g.name}`,
        title: `${g.name} — ${REGION_OUTCOME[g.state] ?? g.state}`,
        blocks: [
          { kind: "facts", facts: [fact("Wave", String(g.wave)), fact("Time zone", g.timeZone), fact("Started", g.startedAt === null ? "—" : utc(g.startedAt)), fact("Ended", g.endedAt === null ? "—" : utc(g.endedAt)), fact("Rolled back", g.state === "failed" || g.state === "rolledBack" ? "yes" : "no")] },
          table(`Steps in ${g.name}`, ["step", "canary", "hold"], steps.map((x) => [x.label, `${x.percent}%`, `${Math.round(x.holdMs / 1000)} s`])),
          decisions.length === 0
            ? note(`No verdicts in ${g.name}.`)
            : table(
                `Verdicts in ${g.name}`,
                ["time", "verdict", "trigger", "reason", "evidence"],
                decisions.map((d) => [utc(d.at), [status(d.verdict)], [code(d.trigger)], d.reason, evidenceText(d.evidence)]),
              ),
        ],
      };
    }),
  };
}

function evidenceText(evidence: Record<string, unknown>): string {
  const text = Object.entries(evidence)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
  return text.length > EVIDENCE_CHARS ? `${text.slice(0, EVIDENCE_CHARS)}…` : text || "—";
}
