"use client";
import { useState } from "react";
import { possibleCommands } from "@/server/core/command-states";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { Button } from "@/components/ui/button";
import { RunAbortDialog } from "./run-abort-dialog";

/** Abort is only offered before any traffic reaches the new version; after that, roll back. */
export function RunAbortSection({ runId, state }: { runId: string; state: RunState }) {
  const canAbort = useCan("run.abort");
  const [open, setOpen] = useState(false);
  if (!canAbort || !possibleCommands(state).includes("abort")) return null;
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <p className="text-sm text-slate-800">No traffic has reached the new version yet. You can still stop this run.</p>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Abort run
      </Button>
      <RunAbortDialog runId={runId} open={open} onClose={() => setOpen(false)} />
    </div>
  );
}
