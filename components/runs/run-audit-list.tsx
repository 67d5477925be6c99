import type { RunView } from "@/server/services/runs";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { humanize } from "./labels";

/** Who did what on this run, in order. */
export function RunAuditList({ audit }: { audit: RunView["audit"] }) {
  return (
    <Card title="Audit trail" id="audit">
      {audit.length === 0 ? (
        <p className="text-sm text-slate-700">No audit entries yet.</p>
      ) : (
        <div className="overflow-x-auto" role="region" aria-label="Audit trail of this run" tabIndex={0}>
          <table className="min-w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-700">
                <th scope="col" className="py-2 pr-3">Time</th>
                <th scope="col" className="py-2 pr-3">Actor</th>
                <th scope="col" className="py-2 pr-3">Role</th>
                <th scope="col" className="py-2">What</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {audit.map((a) => (
                <tr key={a.id}>
                  <td className="whitespace-nowrap py-2 pr-3 text-slate-700">
                    <LocalTime value={a.at} />
                  </td>
                  <td className="py-2 pr-3 text-slate-900">{a.actorName}</td>
                  <td className="py-2 pr-3 text-slate-700">{humanize(a.actorRole)}</td>
                  <td className="py-2 text-slate-900">{a.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
