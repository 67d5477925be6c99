import type { RunWhatIf } from "@/server/services/what-if";
import { duration } from "@/server/core/analysis/format";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** Each step: what really happened next to what the replayed policy would have done, with its first hold and first pass. */
export function ReplayStepsTable({ result, caption }: { result: RunWhatIf; caption: string }) {
  return (
    <div className="overflow-x-auto" role="region" aria-label={caption} tabIndex={0}>
      <table className="min-w-full">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-200">
            <th scope="col" className={th}>Step</th>
            <th scope="col" className={th}>What happened</th>
            <th scope="col" className={th}>Under this policy</th>
            <th scope="col" className={th}>First hold</th>
            <th scope="col" className={th}>Healthy from</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {result.replay.steps.map((s) => (
            <tr key={s.index}>
              <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                {s.label}
              </th>
              <td className={td}>{s.actually}</td>
              <td className={td}>
                <span className={s.outcome.kind === "rollback" ? "font-medium text-red-800" : undefined}>{s.wouldHave}</span>
                {s.outcome.kind === "rollback" ? <span className="block text-xs text-slate-700">{s.outcome.message}</span> : null}
              </td>
              <td className={td}>{s.firstHold ? `after ${duration(s.firstHold.afterMs)} (${s.firstHold.trigger})` : "none"}</td>
              <td className={td}>{s.firstPass ? `after ${duration(s.firstPass.afterMs)}` : "not shown"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
