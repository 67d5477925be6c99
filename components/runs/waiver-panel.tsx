"use client";
import { useState } from "react";
import type { GateState, Policy } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { Button } from "@/components/ui/button";
import { BlockerList } from "./blocker-list";
import { BlockersWaiveDialog } from "./blockers-waive-dialog";
import { GatePolicy } from "./gate-policy";

export function WaiverPanel({ runId, gate, policy }: { runId: string; gate: GateState; policy: Policy }) {
  const canWaive = useCan("run.waive");
  const [open, setOpen] = useState(false);
  const label = gate.kind === "approval" ? "The approval gate" : "Post-deploy verification";
  return (
    <div className="space-y-3">
      <p className="font-medium text-slate-900">{label} is blocked. A release manager may waive these blockers with a reason.</p>
      <BlockerList blockers={gate.blockers} />
      <GatePolicy policy={policy} />
      {canWaive ? (
        <>
          <Button onClick={() => setOpen(true)}>Waive blockers</Button>
          <BlockersWaiveDialog runId={runId} open={open} onClose={() => setOpen(false)} />
        </>
      ) : (
        <p className="text-sm text-slate-700">Waiting for a release manager.</p>
      )}
    </div>
  );
}
