/**
 * Factories for the release record's unit tests: the facts of a record as the engine gathers
 * them, a canary that rolled back, and what a real Markdown parser (marked, not ours) makes of
 * the serialized record.
 */
import { marked, type Token, type Tokens } from "marked";
import { successCriteria } from "../success-criteria.ts";
import { actors, atApprovalGate, confirmStep, feed, inRollout, MINUTE, SECOND, T0 } from "../testing.ts";
import type { RunState } from "../types.ts";
import type { ReleaseRecordInput } from "./input.ts";

/** The facts of a record for `state` (a run at its approval gate by default), approved by Rita. */
export function recordInput(state: RunState = atApprovalGate(), more: Partial<ReleaseRecordInput> = {}): ReleaseRecordInput {
  return {
    number: 42,
    serviceName: "Checkout",
    state,
    agents: state.agents.map((a) => ({ ...a, findings: [] })),
    criteria: successCriteria({ state, findings: [], hasRunbook: true, notifications: [], recordVersions: 1 }),
    approvals: [{ gate: "approval", decision: "approve", by: "Rita Manager", at: "2026-11-28T10:00:00.000Z", reason: "checks green" }],
    decisions: [],
    configChanges: null,
    releaseNotes: null,
    runbook: "1. Watch the error rate.",
    writtenAt: "2026-11-28T10:30:00.000Z",
    postMortem: null,
    ...more,
  };
}

/** When the canary below was rolled back: two minutes into its first step. */
export const ROLLED_BACK_AT = T0 + 2 * MINUTE;

/**
 * A production canary at 5% that Otto (on call) rolled back with `reason`; the procedure ran to
 * the end (traffic reverted, hooks skipped, team notified, this draft written) unless `finished`
 * is false, which leaves it writing the post-mortem draft.
 */
export function rolledBackCanary(reason: string, finished = true): RunState {
  const holding = confirmStep(inRollout(), T0);
  const t = ROLLED_BACK_AT;
  const steps = [
    { kind: "rollbackStepFinished", step: "revert_traffic", status: "done", detail: "Canary weight 0%, verified" },
    { kind: "rollbackStepFinished", step: "data_migration", status: "skipped", detail: "No data-migration hook configured" },
    { kind: "rollbackStepFinished", step: "cache_invalidation", status: "skipped", detail: "No cache-invalidation hook configured" },
    { kind: "rollbackStepFinished", step: "notify", status: "done", detail: "Stakeholders notified (slack)" },
  ] as const;
  const writing = feed(holding, [{ kind: "rollback", actor: actors.onCall, reason }, ...steps], t).state;
  if (!finished) return writing;
  return feed(writing, [{ kind: "rollbackStepFinished", step: "postmortem", status: "done", detail: "Post-mortem draft written to the release record" }], t + 30 * SECOND).state;
}

/** What a Markdown reader sees: headings (depth and text), tables, links, raw HTML and code blocks. */
export type MarkdownStructure = { headings: string[]; tables: number; tableRows: number; links: string[]; html: number; codeBlocks: number };

/** Parses Markdown with marked (GFM) and counts the structure it finds, however deep. */
export function markdownStructure(markdown: string): MarkdownStructure {
  const found: MarkdownStructure = { headings: [], tables: 0, tableRows: 0, links: [], html: 0, codeBlocks: 0 };
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      switch (t.type) {
        case "heading":
          found.headings.push(`${"#".repeat((t as Tokens.Heading).depth)} ${(t as Tokens.Heading).text}`);
          break;
        case "table": {
          const table = t as Tokens.Table;
          found.tables += 1;
          found.tableRows += table.rows.length;
          for (const cell of [...table.header, ...table.rows.flat()]) visit(cell.tokens);
          break;
        }
        case "link":
          found.links.push((t as Tokens.Link).href);
          break;
        case "html":
          found.html += 1;
          break;
        case "code":
          found.codeBlocks += 1;
          break;
      }
      if ("tokens" in t && Array.isArray(t.tokens)) visit(t.tokens);
      if (t.type === "list") for (const item of (t as Tokens.List).items) visit(item.tokens);
    }
  };
  visit(marked.lexer(markdown, { gfm: true }));
  return found;
}
