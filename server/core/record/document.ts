/**
 * The release record as a document: sections of typed blocks, built by the core from the run's
 * facts and rendered twice — by React components in the browser and as Markdown for download.
 * Every string in it is plain text: a renderer shows it as text, never parses it, so a reason,
 * a release note or a finding cannot become a heading, a table row, a link or markup.
 */
import type { Severity } from "../types.ts";

/** Version of this document shape, stored with each record; a reader refuses shapes it does not know. */
export const RECORD_FORMAT = 1;

/** How a status reads at a glance: the words carry the meaning, the renderer may add colour. */
export const STATUS_SENSES = ["good", "bad", "attention", "neutral"] as const;
/** good: met, passed, done; bad: failed, rolled back; attention: missing, waived, running; neutral: anything else. */
export type StatusSense = (typeof STATUS_SENSES)[number];

/** A run of text within a paragraph, cell or list item. */
export type Span =
  /** plain text; line breaks in it are kept as line breaks, never as new blocks */
  | { kind: "text"; text: string }
  /** text in bold, e.g. a label */
  | { kind: "strong"; text: string }
  /** text in italics, e.g. "to be completed" */
  | { kind: "emphasis"; text: string }
  /** a configuration key, version or identifier, in a monospace font */
  | { kind: "code"; text: string }
  /** a status word (met, failed, done…) with how it reads */
  | { kind: "status"; text: string; sense: StatusSense }
  /** a web reference; href is always http(s) (the builder and the stored-record schema check it) */
  | { kind: "link"; text: string; href: string };

/** One label and its value, e.g. "Reason: customers report failed payments". */
export type Fact = {
  /** what the value is, e.g. "Reason" */
  label: string;
  /** the value, as text */
  value: Span[];
};

/** One cell of a table: its spans. */
export type Cell = Span[];

/** A finding as the record lists it. */
export type RecordFinding = {
  /** how bad it is, critical first */
  severity: Severity;
  /** the sub-check that found it, e.g. "secrets scan"; null when the agent did not say */
  check: string | null;
  /** what was found, in the agent's words */
  message: string;
  /** what the agent saw, clipped to a few hundred characters; "" when none */
  evidence: string;
  /** where to read more: a web address or a path on the checking machine; null when none */
  link: string | null;
};

/** A block of a section. */
export type Block =
  /** prose */
  | { kind: "paragraph"; content: Span[] }
  /** label/value pairs (a description list) */
  | { kind: "facts"; facts: Fact[] }
  /** a bulleted list, or a numbered one when `ordered` */
  | { kind: "list"; ordered: boolean; items: Span[][] }
  /** a table; `caption` names it for screen readers and the scroll region */
  | { kind: "table"; caption: string; columns: string[]; rows: Cell[][] }
  /** an agent's findings, most severe first; `more` counts those left out */
  | { kind: "findings"; findings: RecordFinding[]; more: number }
  /** text quoted exactly as written elsewhere (release notes, the runbook), shown preformatted */
  | { kind: "verbatim"; caption: string; text: string }
  /** a remark about the record itself, e.g. "None." or "To be completed." */
  | { kind: "note"; text: string };

/** A part of a section with its own heading, e.g. one agent's results. */
export type RecordSubsection = {
  /** anchor, unique in the document, e.g. "agent-qa-test-engineer" */
  id: string;
  /** its heading, e.g. "qa-test-engineer — passed" */
  title: string;
  /** its content, in order */
  blocks: Block[];
};

/** A top-level part of the record, e.g. "Success criteria" or "Post-mortem draft". */
export type RecordSection = {
  /** anchor, unique in the document, e.g. "post-mortem" */
  id: string;
  /** its heading */
  title: string;
  /** its content before any subsection, in order */
  blocks: Block[];
  /** its parts with their own headings, in order */
  subsections: RecordSubsection[];
};

/** A whole release record. */
export type RecordDocument = {
  /** RECORD_FORMAT when it was written */
  format: typeof RECORD_FORMAT;
  /** e.g. "Release record — storefront 2.3.1 (staging)" */
  title: string;
  /** run number, strategy, risk…: shown under the title */
  summary: Fact[];
  /** the record's parts, in reading order */
  sections: RecordSection[];
};
