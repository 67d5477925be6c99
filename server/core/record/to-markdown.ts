/**
 * The release record as Markdown, for the download and the API. The document becomes an mdast
 * tree — the record's own headings, lists and tables as nodes, every piece of user text as a text
 * or code node — and mdast-util-to-markdown (with its GFM extension) writes it, escaping text so
 * that `#`, `|`, `[`, `<`, backticks and the like stay characters: a reason or a release note can
 * never open a heading, a table row, a link or HTML. Text inside table cells and headings is kept
 * on one line (a line break there would end the row or the heading); elsewhere a line break
 * becomes a hard break inside the same paragraph, never a new block.
 */
import type { BlockContent, Heading, List, ListItem, Paragraph, PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from "mdast";
import { gfmToMarkdown } from "mdast-util-gfm";
import { toMarkdown } from "mdast-util-to-markdown";
import type { Block, Fact, RecordDocument, RecordFinding, Span } from "./document.ts";
import { isWebAddress } from "./spans.ts";

/** The record as GitHub-flavoured Markdown. */
export function recordToMarkdown(doc: RecordDocument): string {
  const children: RootContent[] = [heading(1, doc.title)];
  if (doc.summary.length > 0) {
    children.push(para(doc.summary.flatMap((f, i) => [...(i > 0 ? [txt(" · ", "line")] : []), txt(`${f.label}: `, "line"), ...phrasing(f.value, "line")])));
  }
  for (const section of doc.sections) {
    children.push(heading(2, section.title), ...section.blocks.flatMap(block));
    for (const sub of section.subsections) children.push(heading(3, sub.title), ...sub.blocks.flatMap(block));
  }
  const root: Root = { type: "root", children };
  return toMarkdown(root, { extensions: [gfmToMarkdown()], bullet: "-", emphasis: "_", strong: "*", fence: "`", fences: true, listItemIndent: "one", rule: "-" });
}

/** Where text goes: "line" (headings, table cells) must stay on one line; "flow" may break lines. */
type Where = "line" | "flow";

function block(b: Block): BlockContent[] {
  switch (b.kind) {
    case "paragraph":
      return [para(phrasing(b.content, "flow"))];
    case "facts":
      return [list(false, b.facts.map(factLine))];
    case "list":
      return [list(b.ordered, b.items.map((item) => phrasing(item, "flow")))];
    case "table":
      return [tableOf(b.columns, b.rows)];
    case "findings":
      return [list(false, [...b.findings.map(findingLine), ...(b.more > 0 ? [[txt(`… ${b.more} more finding(s) on the run page`, "flow")]] : [])])];
    case "verbatim":
      // A fenced code block: nothing inside is interpreted; the fence outgrows any backticks in the text.
      return [{ type: "code", lang: null, meta: null, value: clean(b.text) }];
    case "note":
      return [para([{ type: "emphasis", children: [txt(b.text, "line")] }])];
    default: {
      const never: never = b;
      throw new Error(`unknown record block ${JSON.stringify(never)}`);
    }
  }
}

function factLine(f: Fact): PhrasingContent[] {
  return [{ type: "strong", children: [txt(`${f.label}:`, "line")] }, txt(" ", "line"), ...phrasing(f.value, "flow")];
}

function findingLine(f: RecordFinding): PhrasingContent[] {
  return [
    { type: "strong", children: [txt(f.severity, "line")] },
    txt(f.check ? ` [${f.check}] ` : " ", "line"),
    ...phrasing([{ kind: "text", text: f.message }], "flow"),
    ...(f.evidence ? [txt(" — evidence: ", "line"), inlineCode(f.evidence)] : []),
    ...(f.link ? [txt(" (", "line"), ...phrasing([isWebAddress(f.link) ? { kind: "link", text: f.link, href: f.link } : { kind: "code", text: f.link }], "line"), txt(")", "line")] : []),
  ];
}

function heading(depth: Heading["depth"], title: string): Heading {
  return { type: "heading", depth, children: [txt(title, "line")] };
}

function para(children: PhrasingContent[]): Paragraph {
  return { type: "paragraph", children };
}

function list(ordered: boolean, items: PhrasingContent[][]): List {
  const children: ListItem[] = items.map((content) => ({ type: "listItem", spread: false, children: [para(content)] }));
  return { type: "list", ordered, start: ordered ? 1 : null, spread: false, children };
}

function tableOf(columns: string[], rows: Span[][][]): Table {
  const row = (cells: PhrasingContent[][]): TableRow => ({ type: "tableRow", children: cells.map((c): TableCell => ({ type: "tableCell", children: c })) });
  // Every row as wide as the header: a short row would be padded by readers anyway, a long one dropped.
  const fit = (cells: Span[][]) => columns.map((_, i) => phrasing(cells[i] ?? [], "line"));
  return { type: "table", align: columns.map(() => null), children: [row(columns.map((c) => [txt(c, "line")])), ...rows.map((r) => row(fit(r)))] };
}

function phrasing(spans: Span[], where: Where): PhrasingContent[] {
  return spans.flatMap((s): PhrasingContent[] => {
    switch (s.kind) {
      case "text":
        return lines(s.text, where);
      case "status":
        return [txt(s.text, "line")];
      case "strong":
        return [{ type: "strong", children: [txt(s.text, "line")] }];
      case "emphasis":
        return [{ type: "emphasis", children: [txt(s.text, "line")] }];
      case "code":
        return [inlineCode(s.text)];
      case "link":
        // Checked again here: only an http(s) address is ever written as a link.
        return isWebAddress(s.href) ? [{ type: "link", url: s.href, title: null, children: [txt(s.text, "line")] }] : [inlineCode(s.href)];
      default: {
        const never: never = s;
        throw new Error(`unknown record span ${JSON.stringify(never)}`);
      }
    }
  });
}

/** Text with its line breaks as hard breaks (flow), or on one line. Blank lines never survive: they would end the block. */
function lines(value: string, where: Where): PhrasingContent[] {
  const all = clean(value).split(/\r\n|\r|\n/);
  if (where === "line" || all.length === 1) return [txt(value, "line")];
  const parts = all.filter((l) => l.trim() !== "");
  return parts.flatMap((l, i): PhrasingContent[] => (i === 0 ? [txt(l, "line")] : [{ type: "break" }, txt(l, "line")]));
}

function txt(value: string, where: Where): PhrasingContent {
  return { type: "text", value: where === "line" ? oneLine(value) : clean(value) };
}

function inlineCode(value: string): PhrasingContent {
  const v = oneLine(value).trim();
  // An empty code span would print as a bare pair of backticks.
  return v === "" ? { type: "text", value: "" } : { type: "inlineCode", value: v };
}

/** Control characters other than tab and line breaks have no place in a document (a NUL truncates some readers). */
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
}

/** Runs of whitespace, line breaks included, as one space; the edges are kept (they separate spans). */
function oneLine(value: string): string {
  return clean(value).replace(/\s+/g, " ");
}
