import type { RunWhatIf } from "@/server/services/what-if";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** One row per past run: what happened, and what the proposed policy would have done (a change is marked). */
export function AnalysisPolicyPreview({ rows, label }: { rows: RunWhatIf[]; label: string }) {
  if (rows.length === 0) {
    return <p className="text-sm text-slate-700">No finished runs with stored metrics in this environment yet: nothing to replay.</p>;
  }
  const changed = rows.filter((r) => r.differs).length;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-800">
        {changed === 0 ? `Same ending as what happened on all ${rows.length} runs.` : `A different ending on ${changed} of ${rows.length} runs.`}
      </p>
      <div className="overflow-x-auto" role="region" aria-label={label} tabIndex={0}>
        <table className="min-w-full">
          <caption className="sr-only">{label}</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className={th}>Run</th>
              <th scope="col" className={th}>Version</th>
              <th scope="col" className={th}>What happened</th>
              <th scope="col" className={th}>Proposed policy</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <tr key={r.runId} className={r.differs ? "bg-amber-50" : undefined}>
                <th scope="row" className={`${td} text-left font-medium`}>
                  <a href={`/runs/${r.runId}`} className="text-blue-800 underline">
                    #{r.number}
                  </a>
                </th>
                <td className={`${td} font-mono`}>
                  {r.baselineVersion} → {r.targetVersion}
                </td>
                <td className={td}>{r.actually}</td>
                <td className={td}>
                  {r.differs ? <span className="font-semibold">Different: </span> : null}
                  {r.replay.summary}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="list-disc space-y-1 pl-5 text-xs text-slate-700">
        {(rows[0]?.replay.notes ?? []).map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </div>
  );
}
