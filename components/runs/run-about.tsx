"use client";
import dynamic from "next/dynamic";
import { useCan } from "@/components/auth/session-context";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import type { CachedRun } from "./run-queries";

// The share dialog (durations, copy button) is a few KB nobody needs to read the run: it loads on its own.
const ShareLinkButton = dynamic(() => import("@/components/share/share-link-dialog").then((m) => m.ShareLinkButton), { ssr: false });

/** How the run was set up and by whom, its release record as a file, and a read-only link to share. */
export function RunAbout({ run }: { run: CachedRun }) {
  const canShare = useCan("run.create");
  const { params } = run.state;
  const facts: [string, string][] = [
    ["Service", run.service.name],
    ["Environment", run.environment],
    params.flag ? ["Flag", `${params.flag.key}: ${params.flag.baselineVariant} to ${params.flag.variant}`] : ["Versions", `${params.baselineVersion} to ${params.targetVersion}`],
    ["Strategy", params.strategy],
    ["Router", params.router],
    ["Risk", params.risk],
    ["Compliance", params.compliance],
    ["Created by", run.createdBy.name],
  ];
  return (
    <Card title="About this run" id="about">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
        {facts.map(([k, v]) => (
          <div key={k} className="flex gap-1">
            <dt className="text-slate-700">{k}:</dt>
            <dd className="min-w-0 font-medium break-words text-slate-900">{v}</dd>
          </div>
        ))}
        <div className="flex gap-1">
          <dt className="text-slate-700">Created:</dt>
          <dd className="font-medium text-slate-900">
            <LocalTime value={run.createdAt} />
          </dd>
        </div>
      </dl>
      {run.records.length > 0 || canShare ? (
        <div className="mt-3 flex flex-wrap gap-2">
          {run.records.length > 0 ? (
            <a href={`/api/runs/${run.id}/record`} download className={buttonClasses("secondary", "sm")}>
              <span aria-hidden="true">⬇</span> Download release record
            </a>
          ) : null}
          {canShare ? <ShareLinkButton target={{ kind: "run", runId: run.id }} what={`run #${run.number}`} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
