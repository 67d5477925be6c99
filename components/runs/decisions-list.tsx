import type { RunView } from "@/server/services/runs";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";

function verdictTone(verdict: string): BadgeTone {
  if (["rollback", "reject", "block", "abort", "fail"].includes(verdict)) return "danger";
  if (["hold", "pause", "waive"].includes(verdict)) return "warning";
  if (["advance", "approve", "succeed", "promote", "resume"].includes(verdict)) return "success";
  return "neutral";
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Every decision the engine or a person made, newest first, with the numbers behind it. */
export function DecisionsList({ decisions }: { decisions: RunView["decisions"] }) {
  return (
    <Card title="Decisions" id="decisions">
      {decisions.length === 0 ? (
        <p className="text-sm text-slate-700">No decisions yet.</p>
      ) : (
        <ol className="space-y-3">
          {[...decisions].reverse().map((d) => {
            const evidence = Object.entries(d.evidence ?? {});
            return (
              <li key={d.id} className="border-l-4 border-slate-300 pl-3">
                <div className="flex flex-wrap items-center gap-2 text-xs text-slate-700">
                  <LocalTime value={d.at} />
                  <Badge tone={verdictTone(d.verdict)}>{d.verdict}</Badge>
                  <span>by {d.trigger}</span>
                  {d.stepIndex !== null ? <span>· step {d.stepIndex + 1}</span> : null}
                </div>
                <p className="mt-1 text-sm text-slate-900">{d.reason}</p>
                {evidence.length > 0 ? (
                  <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-xs">
                    {evidence.map(([k, v]) => (
                      <div key={k} className="contents">
                        <dt className="font-medium text-slate-700">{k}</dt>
                        <dd className="break-all font-mono text-slate-900">{show(v)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
