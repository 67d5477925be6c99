import type { RecordDocument } from "../core/record/document.ts";
import { recordToMarkdown } from "../core/record/to-markdown.ts";
import type { Db } from "./client.ts";
import { findRunRef } from "./run-repository.ts";
import { ZRecordDocument } from "./release-record-schema.ts";

/**
 * Release records, versioned per run: the only code that writes them and the one place their
 * stored document is parsed.
 */

/** How a stored record can be shown. */
export type RecordForm =
  /** a structured document: rendered from its structure */
  | "document"
  /** written before structured records: only its Markdown exists, shown as preformatted text */
  | "legacy"
  /** a document that does not pass the schema (edited by hand, or from a newer Flightdeck): shown as its Markdown text */
  | "unreadable";

/** One version of a run's release record, as the page and the download read it. */
export type StoredReleaseRecord = {
  /** the run's number, e.g. 42 for "#42" */
  number: number;
  /** 1 for the first record of the run, then 2, 3… */
  version: number;
  /** when this version was written (ISO) */
  writtenAt: string;
  form: RecordForm;
  /** the document; null unless form is "document" */
  document: RecordDocument | null;
  /** the record as Markdown: escaped and serialized from the document, or a legacy row's own text */
  markdown: string;
};

/**
 * Stores the next version of a run's record: the document and, serialized from it once, the
 * Markdown that is downloaded. Two writers racing for the same version store it once.
 */
export async function saveReleaseRecord(db: Db, runId: string, document: RecordDocument): Promise<number> {
  const last = await db.releaseRecord.findFirst({ where: { runId }, orderBy: { version: "desc" }, select: { version: true } });
  const version = (last?.version ?? 0) + 1;
  await db.releaseRecord.upsert({
    where: { runId_version: { runId, version } },
    create: { runId, version, document: document as unknown as object, markdown: recordToMarkdown(document) },
    update: {},
  });
  return version;
}

/** The latest version of a run's record; null when none has been written (or the run does not exist). */
export async function latestReleaseRecord(db: Db, runId: string): Promise<StoredReleaseRecord | null> {
  const [row, run] = await Promise.all([
    db.releaseRecord.findFirst({ where: { runId }, orderBy: { version: "desc" } }),
    findRunRef(db, runId),
  ]);
  if (!row || !run) return null;
  const base = { number: run.number, version: row.version, writtenAt: row.createdAt.toISOString(), markdown: row.markdown };
  if (row.document === null) return { ...base, form: "legacy", document: null };
  const parsed = ZRecordDocument.safeParse(row.document);
  return parsed.success ? { ...base, form: "document", document: parsed.data } : { ...base, form: "unreadable", document: null };
}
