import type { RecordDocument } from "@/server/core/record/document";
import type { RecordForm } from "@/server/db/release-record-repository";
import { Alert } from "@/components/ui/alert";
import { FactList, RecordBlocks } from "./record-blocks";

/** Anchors of the record's sections on the page, apart from the page's own ids. */
const anchor = (id: string) => `record-${id}`;

/**
 * A release record as the browser shows it: rendered from its structure (no Markdown is parsed
 * here). A record written before records were structured, or one whose stored document cannot be
 * read, is shown as its original text, preformatted: readable, and never interpreted.
 */
export function ReleaseRecordView({ form, document, markdown }: { form: RecordForm; document: RecordDocument | null; markdown: string }) {
  if (form === "document" && document) return <RecordDocumentView doc={document} />;
  return (
    <div className="space-y-3">
      <Alert tone="info" title={form === "legacy" ? "Written by an earlier version of Flightdeck" : "Shown as text"}>
        {form === "legacy"
          ? "This record predates structured records, so it is shown exactly as it was written, as plain text."
          : "This record's stored structure could not be read, so it is shown as the text it was downloaded as."}
      </Alert>
      <article aria-label="Release record text" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
        <pre className="whitespace-pre-wrap font-mono text-sm text-slate-900 [overflow-wrap:anywhere]">{markdown}</pre>
      </article>
    </div>
  );
}

function RecordDocumentView({ doc }: { doc: RecordDocument }) {
  return (
    <article aria-labelledby="record-title" className="space-y-6 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-900 shadow-sm sm:p-6">
      <header className="space-y-3">
        <p id="record-title" className="text-lg font-semibold [overflow-wrap:anywhere]">
          {doc.title}
        </p>
        <FactList facts={doc.summary} inline />
        <nav aria-label="Sections of the record">
          <ul className="flex flex-wrap gap-x-4 gap-y-1">
            {doc.sections.map((s) => (
              <li key={s.id}>
                <a href={`#${anchor(s.id)}`} className="text-blue-800 underline underline-offset-2">
                  {s.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {doc.sections.map((s) => (
        <section key={s.id} id={anchor(s.id)} aria-labelledby={`${anchor(s.id)}-title`} className="scroll-mt-4 space-y-3 border-t border-slate-200 pt-4">
          <h2 id={`${anchor(s.id)}-title`} className="text-xl font-semibold">
            {s.title}
          </h2>
          {s.blocks.length > 0 ? <RecordBlocks blocks={s.blocks} /> : null}
          {s.subsections.map((sub) => (
            <section key={sub.id} id={anchor(sub.id)} aria-labelledby={`${anchor(sub.id)}-title`} className="scroll-mt-4 space-y-2 pt-2">
              <h3 id={`${anchor(sub.id)}-title`} className="text-base font-semibold [overflow-wrap:anywhere]">
                {sub.title}
              </h3>
              <RecordBlocks blocks={sub.blocks} />
            </section>
          ))}
        </section>
      ))}
    </article>
  );
}
