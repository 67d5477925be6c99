import type { Cell } from "@/server/core/record/document";
import { Spans } from "./record-spans";

/** Tables with this many columns keep a readable width and scroll sideways on a phone instead of squeezing. */
const WIDE_FROM_COLUMNS = 4;

/**
 * A record table in a scroll region that keyboard users can focus and scroll (tabIndex with an
 * accessible name: axe's scrollable-region-focusable). Wide tables keep their width on a phone,
 * say that they scroll, and show a visible scroll bar.
 */
export function RecordTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: Cell[][] }) {
  const wide = columns.length >= WIDE_FROM_COLUMNS;
  return (
    <div className="space-y-1">
      <div
        role="region"
        aria-label={caption}
        tabIndex={0}
        className="overflow-x-auto rounded-md border border-slate-200 [scrollbar-width:thin] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        <table className={`w-full border-collapse text-left text-sm ${wide ? "min-w-[40rem]" : ""}`}>
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col" className="border-b border-slate-300 px-3 py-2 font-semibold text-slate-900 first-letter:uppercase">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} className="border-b border-slate-200 align-top last:border-b-0">
                {columns.map((_, j) => (
                  <td key={j} className="whitespace-pre-line px-3 py-2 text-slate-900 [overflow-wrap:anywhere]">
                    <Spans spans={row[j] ?? []} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {wide ? (
        <p aria-hidden="true" className="text-xs text-slate-700 md:hidden">
          Scroll the table sideways to see every column →
        </p>
      ) : null}
    </div>
  );
}
