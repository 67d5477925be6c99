import type { Cell } from "@/server/core/record/document";
import { Spans } from "./record-spans";
import { ScrollRegion } from "./scroll-region";

/** Tables with this many columns keep a readable width and scroll sideways on a phone instead of squeezing. */
const WIDE_FROM_COLUMNS = 4;

/**
 * A record table in a scroll region (focusable, named, and saying when it scrolls). Wide tables
 * keep a readable width on a phone and scroll rather than squeeze their columns.
 */
export function RecordTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: Cell[][] }) {
  const wide = columns.length >= WIDE_FROM_COLUMNS;
  return (
    <ScrollRegion label={`${caption} table`}>
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
                <td key={j} className="whitespace-pre-line break-words px-3 py-2 text-slate-900">
                  <Spans spans={row[j] ?? []} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
