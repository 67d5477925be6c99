import type { Block, Fact, RecordFinding } from "@/server/core/record/document";
import { isWebAddress, reference } from "@/server/core/record/spans";
import { severityTone } from "@/components/runs/labels";
import { Badge } from "@/components/ui/badge";
import { Spans } from "./record-spans";
import { RecordTable } from "./record-table";

/** The blocks of one section or subsection, in order. */
export function RecordBlocks({ blocks }: { blocks: Block[] }) {
  return (
    <div className="space-y-3">
      {blocks.map((b, i) => (
        <RecordBlock key={i} block={b} />
      ))}
    </div>
  );
}

function RecordBlock({ block: b }: { block: Block }) {
  switch (b.kind) {
    case "paragraph":
      return (
        <p className="whitespace-pre-line [overflow-wrap:anywhere]">
          <Spans spans={b.content} />
        </p>
      );
    case "facts":
      return <FactList facts={b.facts} />;
    case "list": {
      const List = b.ordered ? "ol" : "ul";
      return (
        <List className={`space-y-1 pl-5 ${b.ordered ? "list-decimal" : "list-disc"}`}>
          {b.items.map((item, i) => (
            <li key={i} className="whitespace-pre-line [overflow-wrap:anywhere]">
              <Spans spans={item} />
            </li>
          ))}
        </List>
      );
    }
    case "table":
      return <RecordTable caption={b.caption} columns={b.columns} rows={b.rows} />;
    case "findings":
      return <FindingList findings={b.findings} more={b.more} />;
    case "verbatim":
      // Quoted as written (release notes, runbook): wrapped, so it never needs to scroll.
      return (
        <figure>
          <figcaption className="sr-only">{b.caption}</figcaption>
          <pre className="whitespace-pre-wrap rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-sm text-slate-900 [overflow-wrap:anywhere]">{b.text}</pre>
        </figure>
      );
    case "note":
      return <p className="italic text-slate-700">{b.text}</p>;
    default: {
      const never: never = b;
      return never;
    }
  }
}

/**
 * Label/value pairs: side by side from a small tablet up, stacked on a phone; `inline` runs short
 * ones together on one wrapping line (the record's summary).
 */
export function FactList({ facts, inline = false }: { facts: Fact[]; inline?: boolean }) {
  if (inline) {
    return (
      <dl className="flex flex-wrap gap-x-4 gap-y-1">
        {facts.map((f, i) => (
          <div key={i} className="flex gap-1">
            <dt className="text-slate-700">{f.label}</dt>
            <dd className="font-medium text-slate-900">
              <Spans spans={f.value} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_minmax(0,1fr)]">
      {facts.map((f, i) => (
        <div key={i} className="contents">
          <dt className="font-medium text-slate-700">{f.label}</dt>
          <dd className="mb-1 whitespace-pre-line text-slate-900 [overflow-wrap:anywhere] sm:mb-0">
            <Spans spans={f.value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function FindingList({ findings, more }: { findings: RecordFinding[]; more: number }) {
  return (
    <ul className="space-y-2">
      {findings.map((f, i) => (
        <li key={i} className="rounded-md border border-slate-200 px-3 py-2">
          <p className="flex flex-wrap items-start gap-2">
            <Badge tone={severityTone(f.severity)}>{f.severity}</Badge>
            {f.check ? <span className="text-xs text-slate-700 [overflow-wrap:anywhere]">{f.check}</span> : null}
          </p>
          <p className="mt-1 whitespace-pre-line text-slate-900 [overflow-wrap:anywhere]">{f.message}</p>
          {f.evidence ? (
            <>
              <p className="mt-1 text-xs font-medium text-slate-700">Evidence</p>
              <pre className="whitespace-pre-wrap font-mono text-xs text-slate-900 [overflow-wrap:anywhere]">{f.evidence}</pre>
            </>
          ) : null}
          {f.link ? (
            <p className="mt-1 text-xs text-slate-700 [overflow-wrap:anywhere]">
              {isWebAddress(f.link) ? "Reference: " : "Artifact: "}
              <Spans spans={[reference(f.link)]} />
            </p>
          ) : null}
        </li>
      ))}
      {more > 0 ? <li className="italic text-slate-700">… {more} more finding(s) on the run page</li> : null}
    </ul>
  );
}
