/**
 * The post-mortem draft of a rolled-back run, in prose and tables: what triggered the rollback,
 * the numbers of the deciding evaluation, the timeline, each rollback step and its outcome, and
 * the questions the team should answer. Never a dump of stored JSON.
 */
import { percent } from "../analysis/format.ts";
import type { RollbackState, RunState } from "../types.ts";
import type { Block, Fact, RecordSection, RecordSubsection, Span } from "./document.ts";
import type { PostMortemFacts, ReleaseRecordInput } from "./input.ts";
import { code, duration, emphasis, fact, paragraph, status, strong, table, text, utc, words } from "./spans.ts";

/** The post-mortem draft section of a run that rolled back (or is rolling back). */
export function postMortemSection(r: ReleaseRecordInput, rb: RollbackState): RecordSection {
  const s = r.state;
  const facts = r.postMortem ?? { requestedByName: null, evaluation: null, stepFinishedAt: {} };
  const decision = [...r.decisions].reverse().find((d) => d.verdict === "rollback") ?? null;
  // Traffic is back at 0% by the time this is written: the deciding evidence knows what it was.
  const percentThen = typeof decision?.evidence.canaryPercent === "number" ? decision.evidence.canaryPercent : null;
  const step = s.steps[s.stepIndex];
  const where = `${step ? `step ${s.stepIndex + 1} of ${s.steps.length} (${step.label})` : "before the rollout"}${percentThen === null ? "" : ` with ${percentThen}% of traffic on the canary`}`;
  const who = rb.requestedBy === "engine" ? `automatically by the ${rb.trigger ?? "analysis"} trigger` : `by ${facts.requestedByName ?? "an operator"}`;
  const since = s.startedAt === null ? "" : `, ${duration(rb.startedAt - s.startedAt)} after the run started`;
  return {
    id: "post-mortem",
    title: "Post-mortem draft",
    blocks: [
      paragraph(`${s.params.service} ${s.params.targetVersion} was rolled back ${who} at ${utc(rb.startedAt)}${since}, at ${where}.`),
      {
        kind: "facts",
        facts: [
          fact("Trigger", rb.requestedBy === "engine" ? code(rb.trigger ?? "analysis") : text(`operator (${facts.requestedByName ?? rb.requestedBy})`)),
          fact("Reason", rb.reason),
          fact("Canary when rolled back", where),
          fact("Outcome", ...rollbackOutcome(s)),
        ],
      },
    ],
    subsections: [
      evidenceSubsection(s, facts, decision?.evidence ?? null),
      timelineSubsection(r, rb, facts),
      {
        id: "post-mortem-procedure",
        title: "Rollback procedure",
        blocks: [
          table(
            "Rollback procedure",
            ["step", "status", "detail", "finished"],
            rb.steps.map((st) => [
              words(st.kind),
              st.kind === "postmortem" && st.status === "running" ? [text("this draft")] : [status(st.status)],
              st.detail || "—",
              facts.stepFinishedAt[st.kind] ? utc(facts.stepFinishedAt[st.kind] ?? "") : "—",
            ]),
          ),
        ],
      },
      { id: "post-mortem-questions", title: "Follow-up questions", blocks: [{ kind: "list", ordered: true, items: followUps(r, rb, facts).map((q) => [text(q)]) }] },
      {
        id: "post-mortem-open",
        title: "To be completed by the team",
        blocks: [{ kind: "facts", facts: ["Impact", "Root cause", "Follow-up actions"].map((label) => fact(label, emphasis("to be completed"))) }],
      },
    ],
  };
}

function rollbackOutcome(s: RunState): Span[] {
  if (s.status === "rolled_back" || s.status === "failed") return [status(s.status), ...(s.outcome ? [text(` — ${s.outcome}`)] : [])];
  return [status(s.status), text(" — the rollback procedure had not finished when this draft was written")];
}

/** The numbers behind the rollback: the canary analysis's evaluation, else the rollback decision's own figures. */
function evidenceSubsection(s: RunState, facts: PostMortemFacts, decisionEvidence: Record<string, unknown> | null): RecordSubsection {
  const e = facts.evaluation;
  const blocks: Block[] = e
    ? [
        paragraph(`${e.verdict === "rollback" ? "The evaluation that decided the rollback" : "The last canary evaluation before the rollback"} (${utc(e.at)}, verdict `, status(e.verdict), `): ${e.summary}`),
        table(
          "Canary evaluation",
          ["trigger", "verdict", "seen", "counted", "rate", "numbers"],
          e.lines.map((l) => [[code(l.trigger)], [status(l.verdict)], String(l.n), String(l.k), l.observedRate === null ? "—" : percent(l.observedRate), l.message]),
        ),
      ]
    : [paragraph(s.params.analysis ? "No canary evaluation was stored before the rollback." : "No automated canary analysis watched this run: the reason above is the evidence.")];
  const figures = decisionEvidence ? evidenceFacts(decisionEvidence, s) : [];
  if (figures.length > 0) blocks.push(paragraph(strong("Figures the rollback decision recorded:")), { kind: "facts", facts: figures });
  if (s.analysis) blocks.push(paragraph(strong("Last canary analysis:"), ` ${s.analysis.summary}`));
  return { id: "post-mortem-evidence", title: "Deciding evidence", blocks };
}

/** A decision's stored figures as labelled values: known keys in words, others by name; nested values by dotted path. */
export function evidenceFacts(evidence: Record<string, unknown>, s: RunState): Fact[] {
  const out: Fact[] = [];
  const visit = (key: string, value: unknown) => {
    if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(key ? `${key}.${k}` : k, v);
      return;
    }
    out.push(fact(labelOf(key), valueOf(key, value, s)));
  };
  visit("", evidence);
  return out;
}

const LABELS: Record<string, string> = {
  canaryPercent: "Canary traffic",
  step: "Rollout step",
  percent: "Step weight",
  requestsNeeded: "Canary requests still needed",
  holdLeftMs: "Hold left",
  heldMs: "Held for",
  remainingMs: "Hold left",
};

function labelOf(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[._-]+/g, " ").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function valueOf(key: string, value: unknown, s: RunState): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    if (key === "canaryPercent" || key === "percent") return `${value}%`;
    if (key === "step") return `${value + 1} of ${s.steps.length}`;
    if (/Ms$/.test(key)) return duration(value);
    return String(value);
  }
  return String(value);
}

function timelineSubsection(r: ReleaseRecordInput, rb: RollbackState, facts: PostMortemFacts): RecordSubsection {
  const s = r.state;
  type Moment = { at: number; what: Span[] };
  const moments: Moment[] = [
    ...(s.startedAt === null ? [] : [{ at: s.startedAt, what: [text("Run started")] }]),
    ...r.decisions.map((d) => ({ at: Date.parse(d.at), what: [status(d.verdict), text(` (${d.trigger}): ${d.reason}`)] })),
    ...rb.steps.flatMap((st) => {
      const at = facts.stepFinishedAt[st.kind];
      return at ? [{ at: Date.parse(at), what: [text(`Rollback step ${words(st.kind)}: `), status(st.status), ...(st.detail ? [text(` — ${st.detail}`)] : [])] }] : [];
    }),
    ...(s.finishedAt === null ? [] : [{ at: s.finishedAt, what: [text("Run ended: "), status(s.status)] }]),
  ].filter((m) => Number.isFinite(m.at));
  // Stable: equal times keep the order above (a decision before the step it caused).
  moments.sort((a, b) => a.at - b.at);
  return {
    id: "post-mortem-timeline",
    title: "Timeline",
    blocks: [table("Timeline", ["time", "relative to the rollback", "what happened"], moments.map((m) => [utc(m.at), relative(m.at - rb.startedAt), m.what]))],
  };
}

function relative(ms: number): string {
  if (Math.abs(ms) < 500) return "at the rollback";
  return ms < 0 ? `${duration(ms)} before` : `${duration(ms)} after`;
}

/** Questions the facts raise, for the team to answer in the post-mortem. */
function followUps(r: ReleaseRecordInput, rb: RollbackState, facts: PostMortemFacts): string[] {
  const s = r.state;
  const p = s.params;
  const questions: string[] = [];
  if (rb.requestedBy === "engine") {
    questions.push(`What in ${p.targetVersion} made the ${rb.trigger ?? "analysis"} trigger fire, when ${p.baselineVersion} did not?`);
    questions.push("Could a pre-deploy check (tests, load test, configuration review) have caught it before any traffic reached the canary?");
  } else {
    questions.push(`What did ${facts.requestedByName ?? "the operator"} see that the canary analysis did not, and should a rollback trigger watch for it?`);
  }
  if (!p.analysis) questions.push("No metric source watched this canary: should this service's runs be judged by an automated analysis?");
  for (const st of rb.steps) {
    if (st.status === "failed") questions.push(`Why did the ${words(st.kind)} step fail${st.detail ? ` (${st.detail})` : ""}, and what had to be done by hand instead?`);
  }
  const waived = [...s.gate.blockers, ...s.verification.blockers].filter((b) => b.waived).length;
  if (waived > 0) questions.push(`The gate passed with ${waived} waived blocker(s): did any of them bear on this failure?`);
  const unearned = r.agents.filter((a) => a.status === "error" || a.status === "not_configured").map((a) => a.agent);
  if (unearned.length > 0) questions.push(`${unearned.join(", ")} did not check this release: would ${unearned.length > 1 ? "they" : "it"} have found the problem?`);
  questions.push("Who was affected (users, requests, data), for how long, and does anyone need to be told?");
  return questions;
}
