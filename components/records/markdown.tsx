import type { ReactNode } from "react";

// The release record is Markdown that Flightdeck writes itself: headings, paragraphs, lists,
// pipe tables, **bold**, `code` and _emphasis_. This renders that subset to React elements
// (never raw HTML), so text from findings or runbooks cannot inject markup.

type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; header: string[]; rows: string[][] }
  | { kind: "paragraph"; text: string };

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] ?? "";
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      out.push({ kind: "heading", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
      i++;
    } else if (/^\s*[-*]\s+/.test(line)) {
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const next = lines[i] ?? "";
        if (/^\s*[-*]\s+/.test(next)) items.push(next.replace(/^\s*[-*]\s+/, ""));
        // An indented line under an item continues it (a wrapped bullet in release notes).
        else if (/^\s+\S/.test(next) && items.length > 0) items[items.length - 1] += ` ${next.trim()}`;
        else break;
      }
      out.push({ kind: "list", items });
    } else if (line.trim().startsWith("|") && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? "")) {
      const header = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && (lines[i] ?? "").trim().startsWith("|"); i++) rows.push(cells(lines[i] ?? ""));
      out.push({ kind: "table", header, rows });
    } else if (line.trim() === "") {
      i++;
    } else {
      const para: string[] = [];
      for (; i < lines.length && (lines[i] ?? "").trim() !== "" && !/^(#{1,4}\s|\s*[-*]\s|\s*\|)/.test(lines[i] ?? ""); i++) para.push(lines[i] ?? "");
      if (para.length === 0) {
        para.push(line);
        i++;
      }
      out.push({ kind: "paragraph", text: para.join(" ") });
    }
  }
  return out;
}

/** **bold**, `code`, _emphasis_ within one line. */
function inline(text: string): ReactNode[] {
  const parts = text.split(/(\*\*[^*]+\*\*|`[^`]+`|(?<![\w])_[^_]+_(?![\w]))/g);
  return parts.map((part, i) => {
    if (part.startsWith("**") && part.endsWith("**") && part.length > 4) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith("`") && part.endsWith("`") && part.length > 2) return <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.85em]">{part.slice(1, -1)}</code>;
    if (part.startsWith("_") && part.endsWith("_") && part.length > 2) return <em key={i}>{part.slice(1, -1)}</em>;
    return part;
  });
}

/** A Markdown document (the release record's subset), headings shifted so the page keeps one h1. */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="space-y-3 text-sm text-slate-900">
      {blocks(source).map((b, i) => {
        switch (b.kind) {
          case "heading": {
            // The page owns the h1: the document's # becomes h2, ## h3, and so on.
            const level = Math.min(b.level + 1, 6);
            const Tag = `h${level}` as "h2" | "h3" | "h4" | "h5" | "h6";
            return <Tag key={i} className={level === 2 ? "pt-2 text-xl font-semibold" : level === 3 ? "pt-2 text-lg font-semibold" : "pt-1 font-semibold"}>{inline(b.text)}</Tag>;
          }
          case "list":
            return (
              <ul key={i} className="list-disc space-y-1 pl-5">
                {b.items.map((item, j) => <li key={j} className="break-words">{inline(item)}</li>)}
              </ul>
            );
          case "table":
            return (
              <div key={i} className="overflow-x-auto">
                <table className="min-w-full border-collapse text-left">
                  <thead>
                    <tr>{b.header.map((h, j) => <th key={j} scope="col" className="border-b border-slate-300 px-2 py-1 font-semibold">{inline(h)}</th>)}</tr>
                  </thead>
                  <tbody>
                    {b.rows.map((row, j) => (
                      <tr key={j} className="border-b border-slate-200 align-top">{row.map((c, k) => <td key={k} className="px-2 py-1 break-words">{inline(c)}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          default:
            return <p key={i} className="break-words">{inline(b.text)}</p>;
        }
      })}
    </div>
  );
}
