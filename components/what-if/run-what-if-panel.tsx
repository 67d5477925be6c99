"use client";
import dynamic from "next/dynamic";
import { useState } from "react";
import { policyOf } from "@/server/core/analysis/analysis-policy";
import type { AnalysisConfig } from "@/server/core/analysis/triggers";
import { TERMINAL_STATUSES, type RunStatus } from "@/server/core/types";
import { Card } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";

// The form and its results load only when someone opens the panel: the run page keeps its budget.
const RunWhatIfForm = dynamic(() => import("./run-what-if-form"), { ssr: false, loading: () => <SkeletonRows rows={2} label="Loading what-if…" /> });

/** "What if": for a finished run an automated analysis watched, replay it under another policy. */
export function RunWhatIfPanel({ runId, status, config }: { runId: string; status: RunStatus; config: AnalysisConfig | null | undefined }) {
  const [open, setOpen] = useState(false);
  if (!config || !TERMINAL_STATUSES.includes(status)) return null;
  return (
    <Card title="What if" id="what-if">
      <details onToggle={(e) => setOpen(e.currentTarget.open)} className="rounded-md border border-slate-200">
        <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Replay this run under another policy</summary>
        <div className="space-y-3 p-3">
          <p className="text-sm text-slate-700">
            Re-runs the canary analysis on this run&apos;s stored 10 s metric windows with another confidence level, error threshold or p95 factor, and shows
            when it would have rolled back or promoted each step. Nothing about the run changes.
          </p>
          {open ? <RunWhatIfForm runId={runId} policy={policyOf(config)} /> : null}
        </div>
      </details>
    </Card>
  );
}
