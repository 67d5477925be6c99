"use client";
import { GatePolicy } from "./gate-policy";
import { useState } from "react";
import { approveGateAction } from "@/server/actions/approve-gate";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { Button } from "@/components/ui/button";
import { BlockerList } from "./blocker-list";
import { GateRejectDialog } from "./gate-reject-dialog";
import { useRunFeedback } from "./run-feedback";
import { useRunCommand } from "./use-run-command";

/** The approval gate: who approved, how many are needed, which policy rules apply. */
export function ApprovalPanel({ runId, state }: { runId: string; state: RunState }) {
  const canApprove = useCan("run.approve");
  const canReject = useCan("run.reject");
  const report = useRunFeedback();
  const approve = useRunCommand(runId);
  const [rejecting, setRejecting] = useState(false);
  const gate = state.gate;
  const policy = state.policy;

  return (
    <div className="space-y-3">
      <p className="font-medium text-slate-900">
        Approval needed: {gate.approvals.length} of {gate.requiredApprovals} approval{gate.requiredApprovals === 1 ? "" : "s"}
      </p>
      {gate.approvals.length > 0 ? (
        <p className="text-sm text-slate-700">Approved by {gate.approvals.map((a) => a.name).join(", ")}.</p>
      ) : null}
      <BlockerList blockers={gate.blockers} />
      <GatePolicy policy={policy} />
      {canApprove || canReject ? (
        <div className="flex flex-wrap gap-2">
          {canApprove ? (
            <Button
              pending={approve.pending}
              onClick={async () => {
                const r = await approve.execute(() => approveGateAction({ runId }), "Approved.");
                if (!r.ok) report(r.error, "critical");
              }}
            >
              Approve
            </Button>
          ) : null}
          {canReject ? (
            <Button variant="secondary" onClick={() => setRejecting(true)}>
              Reject
            </Button>
          ) : null}
          <GateRejectDialog runId={runId} open={rejecting} onClose={() => setRejecting(false)} />
        </div>
      ) : (
        <p className="text-sm text-slate-700">Waiting for an approver.</p>
      )}
    </div>
  );
}
