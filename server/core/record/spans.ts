/** Small builders for the record's spans and blocks, and the wording of times and statuses. */
import type { Block, Cell, Fact, Span, StatusSense } from "./document.ts";

/** Plain text. */
export const text = (value: string): Span => ({ kind: "text", text: value });
/** Bold text. */
export const strong = (value: string): Span => ({ kind: "strong", text: value });
/** Italic text. */
export const emphasis = (value: string): Span => ({ kind: "emphasis", text: value });
/** Monospace text. */
export const code = (value: string): Span => ({ kind: "code", text: value });

/** A status (`rolled_back`) in words, with how it reads (see STATUS_SENSE); `word` replaces the words. */
export function status(value: string, word: string = value.replaceAll("_", " ")): Span {
  return { kind: "status", text: word, sense: STATUS_SENSE[value] ?? "neutral" };
}

const STATUS_SENSE: Record<string, StatusSense> = {
  met: "good",
  passed: "good",
  done: "good",
  succeeded: "good",
  approve: "good",
  advance: "good",
  failed: "bad",
  error: "bad",
  rolled_back: "bad",
  rolling_back: "bad",
  rollback: "bad",
  reject: "bad",
  block: "bad",
  fail: "bad",
  missing: "attention",
  not_configured: "attention",
  pending: "attention",
  running: "attention",
  paused: "attention",
  hold: "attention",
  waive: "attention",
  cancelled: "neutral",
  skipped: "neutral",
  aborted: "neutral",
};

/** A web address as a link, anything else (a path on the checking machine) as code: only http(s) is ever a link. */
export function reference(value: string): Span {
  return isWebAddress(value) ? { kind: "link", text: value, href: value } : code(value);
}

/** True for an absolute http(s) URL: the only links a record may hold. */
export function isWebAddress(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** A label and plain-text value. */
export function fact(label: string, ...value: (Span | string)[]): Fact {
  return { label, value: value.map((v) => (typeof v === "string" ? text(v) : v)) };
}

/** A paragraph of spans and strings. */
export function paragraph(...content: (Span | string)[]): Block {
  return { kind: "paragraph", content: content.map((c) => (typeof c === "string" ? text(c) : c)) };
}

/** A table; strings become plain-text cells. */
export function table(caption: string, columns: string[], rows: (Cell | string)[][]): Block {
  return { kind: "table", caption, columns, rows: rows.map((row) => row.map((cell) => (typeof cell === "string" ? [text(cell)] : cell))) };
}

/** A remark about the record itself. */
export const note = (value: string): Block => ({ kind: "note", text: value });

/** A bulleted list of plain-text items. */
export function bullets(items: (Span[] | string)[]): Block {
  return { kind: "list", ordered: false, items: items.map((i) => (typeof i === "string" ? [text(i)] : i)) };
}

/** A time as the record prints it: UTC to the second, the same for every reader ("2026-11-28 10:05:00 UTC"). */
export function utc(at: number | string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "unknown time" : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A duration in words: "45 s", "2 min 5 s", "1 h 30 min". */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/** Status text as people say it: "rolled_back" → "rolled back". */
export function words(value: string): string {
  return value.replaceAll("_", " ");
}
