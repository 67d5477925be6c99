import { describe, expect, it } from "vitest";
import { actors, atApprovalGate, confirmStep, createRun, feed, finished, inRollout, throughRollout } from "../testing.ts";
import { buildReleaseRecord } from "./build-record.ts";
import type { Block, RecordDocument, Span } from "./document.ts";
import { markdownStructure, recordInput, rolledBackCanary } from "./testing.ts";
import { recordToMarkdown } from "./to-markdown.ts";

/** A document's text as a reader sees it, one line per block, for assertions on wording. */
function readable(doc: RecordDocument): string {
  const spans = (s: Span[]) => s.map((x) => x.text).join("");
  const block = (b: Block): string[] => {
    switch (b.kind) {
      case "paragraph":
        return [spans(b.content)];
      case "facts":
        return b.facts.map((f) => `${f.label}: ${spans(f.value)}`);
      case "list":
        return b.items.map(spans);
      case "table":
        return [b.columns.join(" | "), ...b.rows.map((r) => r.map(spans).join(" | "))];
      case "findings":
        return b.findings.map((f) => `${f.severity} [${f.check ?? ""}] ${f.message} — ${f.evidence}`);
      case "verbatim":
      case "note":
        return [b.text];
    }
  };
  return [doc.title, ...doc.sections.flatMap((s) => [`## ${s.title}`, ...s.blocks.flatMap(block), ...s.subsections.flatMap((sub) => [`### ${sub.title}`, ...sub.blocks.flatMap(block)])])].join("\n");
}

const sectionTitles = (doc: RecordDocument) => doc.sections.map((s) => s.title);

describe("the release record", () => {
  it("says what changed, the criteria, each agent's findings with evidence, who approved and the runbook", () => {
    const base = recordInput();
    const doc = buildReleaseRecord({
      ...base,
      agents: base.agents.map((a) =>
        a.agent === "security-audit-specialist" ? { ...a, findings: [{ severity: "high", check: "secrets scan", message: "GitHub token in src/config.mjs:3", evidence: "ghp_… [redacted]", link: null }] } : a,
      ),
      configChanges: [{ key: "cache.ttlSeconds", kind: "changed", before: "60", after: "30" }],
      releaseNotes: "# checkout 1.5.0\n- Faster checkout totals",
    });
    const text = readable(doc);
    expect(doc.title).toBe("Release record — Checkout v1.5.0 (production)");
    expect(sectionTitles(doc)).toEqual(["What changed", "Success criteria", "Agents", "Approvals and waivers", "Decisions", "Runbook and incident response"]);
    expect(text).toContain("Version: v1.4.2 → v1.5.0");
    expect(text).toContain("cache.ttlSeconds | changed | 60 | 30");
    expect(text).toContain("All tests passing | met |");
    expect(text).toContain("### security-audit-specialist — passed");
    expect(text).toContain("high [secrets scan] GitHub token in src/config.mjs:3 — ghp_… [redacted]");
    expect(text).toContain("approval | approve | Rita Manager | 2026-11-28 10:00:00 UTC | checks green");
    // The notes and the runbook are quoted exactly as written: their heading is not the record's.
    const notes = doc.sections[0]?.subsections.find((s) => s.id === "release-notes");
    expect(notes?.blocks).toEqual([{ kind: "verbatim", caption: "Release notes", text: "# checkout 1.5.0\n- Faster checkout totals" }]);
    expect(doc.sections.at(-1)?.blocks).toEqual([{ kind: "verbatim", caption: "Runbook of Checkout", text: "1. Watch the error rate." }]);
    expect(markdownStructure(recordToMarkdown(doc)).headings.filter((h) => h.includes("checkout 1.5.0"))).toEqual([]);
  });

  it("says why configuration differences or release notes are unknown rather than leaving them out", () => {
    const text = readable(buildReleaseRecord(recordInput(undefined, { configChanges: "/srv/2.4.0/config.json not found", releaseNotes: "_Release notes unavailable: /srv/notes.md not found_" })));
    expect(text).toContain("Unknown: /srv/2.4.0/config.json not found");
    expect(text).toContain("Release notes unavailable: /srv/notes.md not found");
  });

  it("lists the most severe findings first, counts those beyond 25, and shows only web addresses as links", () => {
    const base = recordInput();
    const many = Array.from({ length: 30 }, (_, i) => ({ severity: i === 29 ? ("critical" as const) : ("low" as const), check: null, message: `finding ${i}`, evidence: "x".repeat(500), link: i === 29 ? "https://github.com/advisories/GHSA-1" : "/tmp/report.json" }));
    const doc = buildReleaseRecord({ ...base, agents: base.agents.map((a) => (a.agent === "qa-test-engineer" ? { ...a, findings: many } : a)) });
    const qa = doc.sections[2]?.subsections.find((s) => s.id === "agent-qa-test-engineer");
    const list = qa?.blocks.find((b) => b.kind === "findings");
    expect(list?.kind === "findings" && list.findings.map((f) => f.message).slice(0, 2)).toEqual(["finding 29", "finding 0"]);
    expect(list?.kind === "findings" && [list.findings.length, list.more, list.findings[0]?.evidence.length]).toEqual([25, 5, 401]);
    expect(markdownStructure(recordToMarkdown(doc)).links).toEqual(["https://github.com/advisories/GHSA-1"]);
    expect(recordToMarkdown(doc)).toContain("(`/tmp/report.json`)");
  });

  it("says when a run was created during a change freeze, who overrode it and why", () => {
    const state = atApprovalGate();
    const frozen = { ...state, policy: { ...state.policy, changeFreeze: { freezeReason: "End of quarter", until: "2027-01-02T12:00:00.000Z", overriddenBy: "Ada Admin", overrideReason: "Payment outage fix cannot wait" } } };
    const text = readable(buildReleaseRecord(recordInput(frozen)));
    expect(text).toContain("### Change freeze");
    expect(text).toContain("End of quarter | 2027-01-02 12:00 UTC | Ada Admin | Payment outage fix cannot wait");
    expect(readable(buildReleaseRecord(recordInput(state)))).not.toContain("Change freeze");
  });

  it("lists waivers with who waived what and why", () => {
    const gate = atApprovalGate({ environment: "production" }, { preDeploy: "not_configured" });
    const waived = feed(gate, [{ kind: "waive", actor: actors.manager, reason: "checks arrive next sprint" }]).state;
    const text = readable(buildReleaseRecord(recordInput(waived)));
    expect(text).toMatch(/qa-test-engineer.* \| Rita Manager \| 2023-11-14 22:13:20 UTC \| checks arrive next sprint/);
  });

  it("is written for a run in any state, saying plainly when it is provisional", () => {
    const outcome = (doc: RecordDocument) => readable(doc).split("\n").find((l) => l.startsWith("Outcome: "));
    expect(outcome(buildReleaseRecord(recordInput(createRun())))).toBe("Outcome: running — in pre deploy; this record is provisional");
    expect(outcome(buildReleaseRecord(recordInput(atApprovalGate())))).toBe("Outcome: running — in approval, waiting for approval; this record is provisional");
    const paused = feed(confirmStep(inRollout()), [{ kind: "pause", actor: actors.manager, reason: "lunch" }]).state;
    expect(outcome(buildReleaseRecord(recordInput(paused)))).toBe("Outcome: paused — at rollout; this record is provisional");
    expect(outcome(buildReleaseRecord(recordInput(rolledBackCanary("errors", false))))).toBe(
      "Outcome: rolling back — traffic is back on v1.4.2; this post-mortem draft is the procedure's last step",
    );
    expect(outcome(buildReleaseRecord(recordInput(rolledBackCanary("errors"))))).toBe("Outcome: rolled back — Rolled back: errors");
    const released = feed(throughRollout(inRollout()), [
      finished("post_deploy", "post-deploy-health", "passed", {}, "healthy"),
    ]).state;
    expect(released.phase).toBe("record");
    expect(outcome(buildReleaseRecord(recordInput(released)))).toBe("Outcome: succeeded — v1.5.0 serves all traffic; this record completes the run");
  });

  it("a flag run's record says which flag changed from which variant to which, not a version (issue 15)", () => {
    const flag = { key: "new-checkout", variant: "on", baselineVariant: "off" };
    const flagRun = inRollout({ router: "flag", flag, baselineVersion: "new-checkout → off", targetVersion: "new-checkout → on" });
    const released = feed(throughRollout(flagRun), [finished("post_deploy", "post-deploy-health", "passed", {}, "healthy")]).state;
    const text = readable(buildReleaseRecord(recordInput(released)));
    expect(text).toContain("Flag: new-checkout: off → on");
    expect(text).not.toContain("Version: ");
    expect(text).toContain("Outcome: succeeded — on is what every user of new-checkout gets; this record completes the run");
  });

  it("drafts no post-mortem for a run that did not roll back", () => {
    expect(sectionTitles(buildReleaseRecord(recordInput()))).not.toContain("Post-mortem draft");
  });
});
