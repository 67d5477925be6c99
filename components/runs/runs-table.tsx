import type React from "react";
import Link from "next/link";
import type { RunListItem } from "@/server/services/runs";
import { flagChange } from "@/server/core/flag-runs";
import { LocalTime } from "@/components/ui/local-time";
import { humanize, phaseLabel, WAITING_LABELS } from "./labels";
import { RunStatusBadge } from "./run-status-badge";

const th = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "px-3 py-2 align-top text-sm text-slate-800";

/** One labelled value on a run card. */
function CardValue({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-700">{label}</dt>
      <dd className="text-sm text-slate-800">{children}</dd>
    </div>
  );
}

/**
 * The runs list; the run number links to the run page. On a phone the ten columns would need
 * horizontal scrolling, so narrow screens get one card per run with every value labelled
 * (Status and Phase first, what people look for); the table is for wider screens.
 */
export function RunsTable({ runs }: { runs: RunListItem[] }) {
  return (
    <>
      <ul className="space-y-3 md:hidden" aria-label="Runs, newest first" data-testid="runs-cards">
        {runs.map((r) => (
          <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-3">
            <h3 className="text-sm font-semibold">
              <Link href={`/runs/${r.id}`} className="rounded text-blue-800 underline underline-offset-2 hover:text-blue-950 focus-visible:outline-2 focus-visible:outline-blue-700">
                Run #{r.number}
              </Link>{" "}
              <span className="font-normal text-slate-800">
                {r.serviceName} · {r.environment}
              </span>
            </h3>
            <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-2">
              <CardValue label="Status">
                <RunStatusBadge status={r.status} />
              </CardValue>
              <CardValue label="Phase">{phaseLabel(r.phase)}</CardValue>
              <CardValue label="Versions">
                <span className="font-mono text-xs break-all">
                  <Versions run={r} />
                </span>
              </CardValue>
              <CardValue label="Strategy">{r.strategy}</CardValue>
              <CardValue label="Waiting for">{r.waitingFor ? (WAITING_LABELS[r.waitingFor] ?? humanize(r.waitingFor)) : "—"}</CardValue>
              <CardValue label="Canary">
                <span className="tabular-nums">{r.canaryPercent}%</span>
              </CardValue>
              <CardValue label="Created">
                {r.createdBy}, <LocalTime value={r.createdAt} withSeconds={false} />
              </CardValue>
            </dl>
          </li>
        ))}
      </ul>
    <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block" role="region" aria-label="Runs" tabIndex={0}>
      <table className="min-w-full divide-y divide-slate-200">
        <caption className="sr-only">Release runs, newest first</caption>
        <thead className="bg-slate-50">
          <tr>
            {["Run", "Service", "Env", "Versions", "Strategy", "Status", "Phase", "Waiting for", "Canary", "Created"].map((h) => (
              <th key={h} scope="col" className={th}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {runs.map((r) => (
            <tr key={r.id} className="hover:bg-slate-50">
              <th scope="row" className={`${td} font-semibold`}>
                <Link href={`/runs/${r.id}`} className="rounded text-blue-800 underline underline-offset-2 hover:text-blue-950 focus-visible:outline-2 focus-visible:outline-blue-700">
                  Run #{r.number}
                </Link>
              </th>
              <td className={td}>{r.serviceName}</td>
              <td className={td}>{r.environment}</td>
              <td className={`${td} whitespace-nowrap font-mono text-xs`}>
                <Versions run={r} />
              </td>
              <td className={td}>{r.strategy}</td>
              <td className={td}>
                <RunStatusBadge status={r.status} />
              </td>
              <td className={td}>{phaseLabel(r.phase)}</td>
              <td className={td}>{r.waitingFor ? (WAITING_LABELS[r.waitingFor] ?? humanize(r.waitingFor)) : "—"}</td>
              <td className={`${td} tabular-nums`}>{r.canaryPercent}%</td>
              <td className={`${td} whitespace-nowrap`}>
                {r.createdBy}
                <br />
                <span className="text-xs text-slate-700">
                  <LocalTime value={r.createdAt} withSeconds={false} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </>
  );
}

/** What the run releases: baseline → target version, or a flag run's flag and variants (issue 15). */
function Versions({ run }: { run: RunListItem }) {
  if (run.flag) return <>{flagChange(run.flag)}</>;
  return (
    <>
      {run.baselineVersion} <span aria-hidden="true">→</span>
      <span className="sr-only"> to </span> {run.targetVersion}
    </>
  );
}
