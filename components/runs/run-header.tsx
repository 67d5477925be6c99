"use client";
import { useState } from "react";
import { possibleCommands } from "@/server/core/command-states";
import type { RunView } from "@/server/services/runs";
import { useCan } from "@/components/auth/session-context";
import { Button, buttonClasses } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { ShareLinkButton } from "@/components/share/share-link-dialog";
import { RollbackDialog } from "./rollback-dialog";
import { RunStatusBadge } from "./run-status-badge";

/** Who, what, where — and the one unmistakable Roll back button. */
export function RunHeader({ run }: { run: RunView }) {
  const canRollBack = useCan("run.rollback");
  const canShare = useCan("run.create");
  const [open, setOpen] = useState(false);
  const { state } = run;
  const { params } = state;
  const showRollback = canRollBack && possibleCommands(state).includes("rollback");
  const facts: [string, string][] = [
    ["Environment", run.environment],
    ["Strategy", params.strategy],
    ["Risk", params.risk],
    ["Compliance", params.compliance],
    ["Created by", run.createdBy.name],
  ];
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold text-slate-900">Run #{run.number}</h1>
            <span data-testid="run-status">
              <RunStatusBadge status={state.status} />
            </span>
          </div>
          <p className="text-slate-800">
            <span className="font-medium">{run.service.name}</span>{" "}
            <span className="font-mono text-sm">
              {params.baselineVersion} <span aria-hidden="true">→</span>
              <span className="sr-only">to</span> {params.targetVersion}
            </span>
          </p>
        </div>
        {showRollback ? (
          <>
            <Button variant="danger" size="lg" onClick={() => setOpen(true)} className="w-full shadow-md sm:w-auto">
              <span aria-hidden="true">↩</span> Roll back
            </Button>
            <RollbackDialog runId={run.id} open={open} onClose={() => setOpen(false)} />
          </>
        ) : null}
      </div>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
        {facts.map(([k, v]) => (
          <div key={k} className="flex gap-1">
            <dt className="text-slate-700">{k}:</dt>
            <dd className="font-medium text-slate-900">{v}</dd>
          </div>
        ))}
        <div className="flex gap-1">
          <dt className="text-slate-700">Created:</dt>
          <dd className="font-medium text-slate-900">
            <LocalTime value={run.createdAt} />
          </dd>
        </div>
      </dl>
      {state.outcome ? (
        <p className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900">
          <span className="font-medium">Outcome:</span> {state.outcome}
        </p>
      ) : null}
      {run.records.length > 0 || canShare ? (
        <div className="flex flex-wrap gap-2">
          {run.records.length > 0 ? (
            <>
              <a href={`/runs/${run.id}/record`} className={buttonClasses("secondary", "sm")}>
                View release record
              </a>
              <a href={`/api/runs/${run.id}/record`} download className={buttonClasses("secondary", "sm")}>
                <span aria-hidden="true">⬇</span> Download release record
              </a>
            </>
          ) : null}
          {canShare ? <ShareLinkButton target={{ kind: "run", runId: run.id }} what={`run #${run.number}`} /> : null}
        </div>
      ) : null}
    </div>
  );
}
