import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { actors, atApprovalGate, feed } from "../testing.ts";
import { buildReleaseRecord } from "./build-record.ts";
import type { RecordDocument } from "./document.ts";
import type { ReleaseRecordInput } from "./input.ts";
import { markdownStructure, recordInput, rolledBackCanary } from "./testing.ts";
import { recordToMarkdown } from "./to-markdown.ts";

/** Issue 13: this rollback reason forged an "Approvals" heading and a table row in the record. */
const FORGED = "x\n\n## Approvals\n| forged | row |";
/** Everything else a person or a checked file could type that means something in Markdown or HTML. */
const HOSTILE = [
  FORGED,
  "|---|---|\n| a | b |",
  "<script>alert(1)</script><img src=x onerror=alert(1)>",
  "[link](javascript:alert(1)) ![img](http://evil.example/x.png) [ref]: http://evil.example",
  "``` fence\n`tick` ``double``",
  "pipes | in | text",
  "# heading\n\n---\n> quote\n- bullet\n1. item\n    indented code",
  "*em* _em_ **strong** ~~strike~~ https://evil.example www.evil.example a@evil.example &amp; &#60;",
  "nul\u0000and\u001bescape",
].join("\n");

/** A rolled-back run where every piece of text a person or a checked file supplies is hostile. */
function hostileInput(): ReleaseRecordInput {
  const rolled = rolledBackCanary(HOSTILE);
  const base = recordInput(rolled, {
    serviceName: HOSTILE,
    approvals: [{ gate: "approval", decision: "approve", by: HOSTILE, at: "2026-11-28T10:00:00.000Z", reason: HOSTILE }],
    decisions: [{ at: "2026-11-28T10:05:00.000Z", verdict: "rollback", trigger: HOSTILE, reason: HOSTILE, evidence: { canaryPercent: 5, [HOSTILE]: HOSTILE } }],
    configChanges: [{ key: HOSTILE, kind: "changed", before: HOSTILE, after: HOSTILE }],
    releaseNotes: HOSTILE,
    runbook: HOSTILE,
    postMortem: { requestedByName: HOSTILE, evaluation: { at: "2026-11-28T10:04:59.000Z", verdict: "rollback", summary: HOSTILE, lines: [{ trigger: HOSTILE, verdict: "rollback", n: 10, k: 3, observedRate: 0.3, message: HOSTILE }] }, stepFinishedAt: {} },
  });
  return {
    ...base,
    criteria: base.criteria.map((c) => ({ ...c, detail: HOSTILE })),
    agents: base.agents.map((a) => ({ ...a, summary: HOSTILE, findings: [{ severity: "high", check: HOSTILE, message: HOSTILE, evidence: HOSTILE, link: HOSTILE }] })),
  };
}

/** The structure the document itself declares: what a correct serialization must produce, and no more. */
function declared(doc: RecordDocument) {
  const blocks = doc.sections.flatMap((s) => [...s.blocks, ...s.subsections.flatMap((sub) => sub.blocks)]);
  const tables = blocks.flatMap((b) => (b.kind === "table" ? [b] : []));
  return {
    headingDepths: [1, ...doc.sections.flatMap((s) => [2, ...s.subsections.map(() => 3)])],
    tables: tables.length,
    tableRows: tables.reduce((n, t) => n + t.rows.length, 0),
    codeBlocks: blocks.filter((b) => b.kind === "verbatim").length,
  };
}

describe("the release record as Markdown", () => {
  it("turns no user text into structure: the headings, tables, rows and code blocks are exactly the record's own", () => {
    const doc = buildReleaseRecord(hostileInput());
    const markdown = recordToMarkdown(doc);
    const found = markdownStructure(markdown);
    const expected = declared(doc);
    expect(found.headings.map((h) => h.indexOf(" "))).toEqual(expected.headingDepths);
    expect(found.headings.filter((h) => /^#+ Approvals$/.test(h))).toEqual(["### Approvals"]);
    expect([found.tables, found.tableRows, found.codeBlocks]).toEqual([expected.tables, expected.tableRows, expected.codeBlocks]);
    expect(found.links).toEqual([]);
    expect(found.html).toBe(0);
  });

  it("shows markup as text when rendered: no script, image or link elements", () => {
    const html = marked.parse(recordToMarkdown(buildReleaseRecord(hostileInput())), { async: false });
    expect(html).not.toMatch(/<(script|img|a|h[4-6]|blockquote|hr)\b/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("[link](javascript:alert(1))");
  });

  it("keeps a reason's line breaks as breaks within its own item, and drops control characters", () => {
    const rolled = rolledBackCanary("customers report failed payments\nsince 10:02\n\n\nsee #incident-42");
    const markdown = recordToMarkdown(buildReleaseRecord(recordInput(rolled)));
    expect(markdown).toContain("- **Reason:** customers report failed payments\\\n  since 10:02\\\n  see #incident-42\n");
    const withNul = recordToMarkdown(buildReleaseRecord(recordInput(rolledBackCanary("a\u0000b"))));
    expect(withNul).toContain("**Reason:** ab\n");
  });

  it("quotes release notes and the runbook exactly, in a fence longer than any backticks inside", () => {
    const notes = "# 2.0\n```js\nrm -rf /\n```\n| not | a table |";
    const markdown = recordToMarkdown(buildReleaseRecord(recordInput(undefined, { releaseNotes: notes, runbook: "````\n1. page the on-call" })));
    const code = marked.lexer(markdown).filter((t): t is Tokens.Code => t.type === "code");
    expect(code.map((c) => c.text)).toEqual([notes, "````\n1. page the on-call"]);
  });

  it("writes only http(s) addresses as links, even from a tampered stored document", () => {
    const doc = buildReleaseRecord(recordInput());
    const tampered: RecordDocument = {
      ...doc,
      sections: [{ id: "x", title: "Links", subsections: [], blocks: [{ kind: "paragraph", content: [{ kind: "link", text: "click", href: "javascript:alert(1)" }, { kind: "link", text: "docs", href: "https://example.com/a" }] }] }],
    };
    expect(markdownStructure(recordToMarkdown(tampered)).links).toEqual(["https://example.com/a"]);
  });

  it("reads the same as before for an ordinary record: title, run line, versions, tables", () => {
    const waived = feed(atApprovalGate({ environment: "production" }, { preDeploy: "not_configured" }), [{ kind: "waive", actor: actors.manager, reason: "checks arrive next sprint" }]).state;
    const markdown = recordToMarkdown(buildReleaseRecord(recordInput(waived, { configChanges: [{ key: "cache.ttlSeconds", kind: "changed", before: "60", after: "30" }] })));
    expect(markdown.startsWith("# Release record — Checkout v1.5.0 (production)\n\nRun: #42 · Strategy: canary · Risk: medium · Compliance: none · Router: manual · Written: 2026-11-28 10:30:00 UTC\n")).toBe(true);
    expect(markdown).toContain("- **Version:** v1.4.2 → v1.5.0");
    expect(markdown).toMatch(/\| `cache.ttlSeconds` \| changed +\| `60` +\| `30` +\|/);
    expect(markdown).toContain("checks arrive next sprint");
  });
});
