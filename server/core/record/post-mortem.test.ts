import { describe, expect, it } from "vitest";
import { createRun } from "../testing.ts";
import { buildReleaseRecord } from "./build-record.ts";
import type { RecordSection } from "./document.ts";
import type { PostMortemFacts, RecordDecision } from "./input.ts";
import { evidenceFacts } from "./post-mortem.ts";
import { markdownStructure, recordInput, ROLLED_BACK_AT, rolledBackCanary } from "./testing.ts";
import { recordToMarkdown } from "./to-markdown.ts";

const iso = (ms: number) => new Date(ms).toISOString();

const rollbackDecision: RecordDecision = {
  at: iso(ROLLED_BACK_AT),
  verdict: "rollback",
  trigger: "operator",
  reason: "Rollback by Otto On-call: customers report failed payments",
  evidence: { canaryPercent: 5, step: 0 },
};

const facts: PostMortemFacts = {
  requestedByName: "Otto On-call",
  evaluation: {
    at: iso(ROLLED_BACK_AT - 1000),
    verdict: "hold",
    summary: "Canary error rate 0.9% over 2,075 requests: above the 0.1% hold level.",
    lines: [
      { trigger: "error-rate", verdict: "insufficient", n: 2075, k: 19, observedRate: 19 / 2075, message: "19 errors in 2,075 canary requests (0.92%); rollback above 1%: E = 3.1, needs 100" },
      { trigger: "cpu", verdict: "pass", n: 12, k: 0, observedRate: null, message: "CPU within the limit in 12 samples" },
    ],
  },
  stepFinishedAt: { revert_traffic: iso(ROLLED_BACK_AT + 5000), notify: iso(ROLLED_BACK_AT + 8000), postmortem: iso(ROLLED_BACK_AT + 30_000) },
};

function postMortem(reason = "customers report failed payments", more: Partial<PostMortemFacts> = {}): { section: RecordSection; markdown: string } {
  const doc = buildReleaseRecord(recordInput(rolledBackCanary(reason), { decisions: [rollbackDecision], postMortem: { ...facts, ...more } }));
  const section = doc.sections.find((s) => s.id === "post-mortem");
  if (!section) throw new Error("no post-mortem section");
  const markdown = recordToMarkdown({ ...doc, sections: [section] });
  return { section, markdown };
}

describe("the post-mortem draft", () => {
  it("tells what happened in a sentence: who rolled back, when, where the canary was", () => {
    const { markdown } = postMortem();
    expect(markdown).toContain(
      "checkout v1.5.0 was rolled back by Otto On-call at 2023-11-14 22:15:20 UTC, 2 min after the run started, at step 1 of 3 (Canary 5%) with 5% of traffic on the canary.",
    );
    expect(markdown).toContain("- **Reason:** customers report failed payments");
    expect(markdown).toContain("- **Outcome:** rolled back — Rolled back: customers report failed payments");
  });

  it("shows the numbers of the deciding evaluation as a table, and the decision's figures in words — never JSON", () => {
    const { section, markdown } = postMortem();
    const evidence = section.subsections.find((s) => s.id === "post-mortem-evidence");
    const table = evidence?.blocks.find((b) => b.kind === "table");
    expect(table?.kind === "table" && table.columns).toEqual(["trigger", "verdict", "seen", "counted", "rate", "numbers"]);
    expect(markdown).toMatch(/\| `error-rate` +\| insufficient +\| 2075 +\| 19 +\| 0\.92% +\| 19 errors in 2,075 canary requests/);
    expect(markdown).toContain("The last canary evaluation before the rollback (2023-11-14 22:15:19 UTC, verdict hold): Canary error rate 0.9%");
    expect(markdown).toContain("- **Canary traffic:** 5%");
    expect(markdown).toContain("- **Rollout step:** 1 of 3");
    expect(markdown).not.toMatch(/[{}]/);
  });

  it("says so when no analysis watched the canary, instead of showing an empty table", () => {
    const { markdown } = postMortem("pager fired", { evaluation: null });
    expect(markdown).toContain("No automated canary analysis watched this run: the reason above is the evidence.");
  });

  it("puts the run's decisions and the rollback steps on one timeline, relative to the rollback", () => {
    const { markdown } = postMortem();
    const rows = markdown.split("\n").filter((l) => l.startsWith("| 2023-"));
    expect(rows.map((r) => r.split("|").map((c) => c.trim()).slice(2, 4).join(" · "))).toEqual([
      "2 min before · Run started",
      "at the rollback · rollback (operator): Rollback by Otto On-call: customers report failed payments",
      "5 s after · Rollback step revert traffic: done — Canary weight 0%, verified",
      "8 s after · Rollback step notify: done — Stakeholders notified (slack)",
      "30 s after · Rollback step postmortem: done — Post-mortem draft written to the release record",
      "30 s after · Run ended: rolled back",
    ]);
  });

  it("lists every rollback step with its outcome, and the questions the facts raise", () => {
    const { section, markdown } = postMortem();
    expect(markdown).toMatch(/\| data migration +\| skipped +\| No data-migration hook configured +\| — +\|/);
    expect(markdown).toMatch(/\| revert traffic +\| done +\| Canary weight 0%, verified +\| 2023-11-14 22:15:25 UTC \|/);
    const questions = section.subsections.find((s) => s.id === "post-mortem-questions")?.blocks[0];
    expect(questions?.kind === "list" && questions.items.map((i) => i[0]?.text)).toEqual([
      "What did Otto On-call see that the canary analysis did not, and should a rollback trigger watch for it?",
      "No metric source watched this canary: should this service's runs be judged by an automated analysis?",
      "Who was affected (users, requests, data), for how long, and does anyone need to be told?",
    ]);
    expect(markdown).toContain("- **Root cause:** _to be completed_");
  });

  it("while the procedure is still writing it, says the rollback has not finished and that this step is the draft", () => {
    const doc = buildReleaseRecord(recordInput(rolledBackCanary("errors", false), { decisions: [rollbackDecision], postMortem: facts }));
    const markdown = recordToMarkdown(doc);
    expect(markdown).toContain("**Outcome:** rolling back — the rollback procedure had not finished when this draft was written");
    expect(markdown).toMatch(/\| postmortem +\| this draft +\|/);
  });

  it("a reason with newlines stays inside its value: no forged heading, table or row", () => {
    const { markdown } = postMortem("x\n\n## Approvals\n| forged | row |\n|---|---|\n| a | b |");
    const structure = markdownStructure(markdown);
    expect(structure.headings).toEqual([
      "# Release record — Checkout v1.5.0 (production)",
      "## Post-mortem draft",
      "### Deciding evidence",
      "### Timeline",
      "### Rollback procedure",
      "### Follow-up questions",
      "### To be completed by the team",
    ]);
    expect([structure.tables, structure.tableRows]).toEqual([3, 2 + 6 + 5]);
  });
});

describe("a decision's figures in words", () => {
  it("names known figures, spells out the rest, and flattens nested values by path", () => {
    const run = createRun();
    const shown = evidenceFacts({ canaryPercent: 50, holdLeftMs: 125_000, automatedAnalysis: false, verdict: null, waived: "a, b", nested: { deep: [1, 2] } }, run);
    expect(shown.map((f) => `${f.label}: ${f.value.map((v) => v.text).join("")}`)).toEqual([
      "Canary traffic: 50%",
      "Hold left: 2 min 5 s",
      "Automated analysis: no",
      "Verdict: —",
      "Waived: a, b",
      "Nested deep 0: 1",
      "Nested deep 1: 2",
    ]);
  });
});
