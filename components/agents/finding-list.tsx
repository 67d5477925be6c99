import type { RunView } from "@/server/services/runs";
import { SEVERITIES } from "@/server/core/types";
import { severityTone } from "@/components/runs/labels";
import { Badge } from "@/components/ui/badge";

type Finding = RunView["tasks"][number]["findings"][number];

const rank = (s: string) => {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
};

/** Findings, most severe first; each expands to its evidence. */
export function FindingList({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return null;
  const sorted = [...findings].sort((a, b) => rank(a.severity) - rank(b.severity));
  return (
    <ul className="space-y-1">
      {sorted.map((f) => (
        <li key={f.id}>
          <details className="rounded-md border border-slate-200 text-sm">
            <summary className="flex cursor-pointer items-start gap-2 px-2 py-1.5 focus-visible:outline-2 focus-visible:outline-blue-700">
              <Badge tone={severityTone(f.severity)}>{f.severity}</Badge>
              <span className="min-w-0 flex-1 text-slate-900">{f.message}</span>
              {f.check ? <span className="shrink-0 text-xs text-slate-700">{f.check}</span> : null}
            </summary>
            <div className="border-t border-slate-200 px-2 py-2">
              <p className="text-xs font-medium text-slate-700">Evidence</p>
              {/* Focusable: long evidence scrolls, and keyboard users must be able to scroll it too. */}
              <pre tabIndex={0} aria-label={`Evidence: ${f.message}`} className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-words font-mono text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-700">
                {f.evidence || "—"}
              </pre>
              {f.link ? <ArtifactLink link={f.link} /> : null}
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}

/** A web link opens in a new tab; a path on the checking machine is shown to copy. */
function ArtifactLink({ link }: { link: string }) {
  const web = /^https?:\/\//i.test(link);
  return (
    <p className="mt-1 break-all text-xs text-slate-700">
      {web ? "Reference: " : "Artifact: "}
      {web ? (
        <a href={link} target="_blank" rel="noreferrer noopener" className="font-mono text-blue-800 underline underline-offset-2">
          {link}
        </a>
      ) : (
        <span className="font-mono">{link}</span>
      )}
    </p>
  );
}
