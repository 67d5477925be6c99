"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ZAuditList } from "@/server/contracts/runs-api";
import { fetchJson } from "@/components/query/fetch-json";
import { QueryError } from "@/components/query/query-error";
import { humanize } from "@/components/runs/labels";
import { buttonClasses } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { SkeletonRows } from "@/components/ui/skeleton";


const th = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "px-3 py-2 align-top text-sm text-slate-800";

/** The append-only audit trail, newest first, exportable as CSV. */
export function AuditView() {
  const audit = useQuery({ queryKey: ["audit"], queryFn: ({ signal }) => fetchJson("/api/audit", ZAuditList, signal) });
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold text-slate-900">Audit</h1>
        <a href="/api/audit?format=csv" download className={buttonClasses("secondary")}>
          <span aria-hidden="true">⬇</span> Export CSV
        </a>
      </div>
      <p className="text-sm text-slate-700">Every change to runs, services and users, as recorded. Entries can never be edited or deleted.</p>
      {audit.isError ? <QueryError error={audit.error} onRetry={() => void audit.refetch()} stale={audit.data !== undefined} /> : null}
      {audit.isPending ? (
        <SkeletonRows rows={8} label="Loading audit trail…" />
      ) : audit.data && audit.data.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-slate-700">Nothing has been recorded yet.</p>
      ) : audit.data ? (
        <>
          {/* On a phone six columns would scroll sideways: one card per event, Action and Summary first. */}
          <ul className="space-y-3 md:hidden" aria-label="Audit events, newest first" data-testid="audit-cards">
            {audit.data.map((a) => (
              <li key={a.id} className="rounded-lg border border-slate-200 bg-white p-3">
                <dl className="space-y-2">
                  <div>
                    <dt className="text-xs font-semibold uppercase tracking-wide text-slate-700">Action</dt>
                    <dd className="font-mono text-xs break-all text-slate-800">{a.action}</dd>
                  </div>
                  <div>
                    <dt className="text-xs font-semibold uppercase tracking-wide text-slate-700">Summary</dt>
                    <dd className="text-sm text-slate-800">{a.summary}</dd>
                  </div>
                  <div>
                    <dt className="text-xs font-semibold uppercase tracking-wide text-slate-700">Who and when</dt>
                    <dd className="text-sm text-slate-800">
                      {a.actorName} ({humanize(a.actorRole)}), <LocalTime value={a.at} />
                    </dd>
                  </div>
                  {a.runId ? (
                    <div>
                      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-700">Run</dt>
                      <dd className="text-sm">
                        <Link href={`/runs/${a.runId}`} className="text-blue-800 underline underline-offset-2">
                          Open run
                        </Link>
                      </dd>
                    </div>
                  ) : null}
                </dl>
              </li>
            ))}
          </ul>
        <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block" role="region" aria-label="Audit trail" tabIndex={0}>
          <table className="min-w-full divide-y divide-slate-200">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead className="bg-slate-50">
              <tr>
                {["Time", "Actor", "Role", "Action", "Run", "Summary"].map((h) => (
                  <th key={h} scope="col" className={th}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {audit.data.map((a) => (
                <tr key={a.id}>
                  <td className={`${td} whitespace-nowrap`}>
                    <LocalTime value={a.at} />
                  </td>
                  <td className={td}>{a.actorName}</td>
                  <td className={td}>{humanize(a.actorRole)}</td>
                  <td className={`${td} font-mono text-xs`}>{a.action}</td>
                  <td className={td}>
                    {a.runId ? (
                      <Link href={`/runs/${a.runId}`} className="text-blue-800 underline underline-offset-2">
                        Open run
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className={td}>{a.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        </>
      ) : null}
    </div>
  );
}
