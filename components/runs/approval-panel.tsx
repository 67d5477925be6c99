"use client";
import { GatePolicy } from "./gate-policy";
import { useState } from "react";
import { approveGateAction } from "@/server/actions/approve-gate";
import { approveRefusal } from "@/server/core/command-states";
import type { RunState } from "@/server/core/types";
import { useCan, useSessionUser } from "@/components/auth/session-context";
import { Button } from "@/components/ui/button";
import { BlockerList } from "./blocker-list";
import { GateRejectDialog } from "./gate-reject-dialog";
import { useRunFeedback } from "./run-feedback";
import { useRunCommand } from "./use-run-command";

/** The approval gate: who approved, how many are needed, which policy rules apply. */
export function ApprovalPanel({ runId, state }: { runId: string; state: RunState }) {
  const canApprove = useCan("run.approve");
  const user = useSessionUser();
  const canReject = useCan("run.reject");
  const report = useRunFeedback();
  const approve = useRunCommand(runId);
  const [rejecting, setRejecting] = useState(false);
  const gate = state.gate;
  const policy = state.policy;
  // Asked before offering the button: the same refusals the core gives when Approve is pressed.
  const refusal = canApprove ? approveRefusal(state, user.id) : null;
  const offerApprove = canApprove && refusal === null;

  return (
    <div className="space-y-3">
      <p className="font-medium text-slate-900">
        {gate.requiredApprovals === 0
          ? "No approval is required by policy"
          : `Approval needed: ${gate.approvals.length} of ${gate.requiredApprovals} approval${gate.requiredApprovals === 1 ? "" : "s"}`}
      </p>
      {gate.requiredApprovals > 0 ? (
        <p className="text-sm text-slate-700">
          Release managers and admins may approve{policy.separationOfDuties ? ", except the person who created the run (separation of duties)" : ""}.
        </p>
      ) : null}
      {gate.approvals.length > 0 ? (
        <p className="text-sm text-slate-700">Approved by {gate.approvals.map((a) => a.name).join(", ")}.</p>
      ) : null}
      <BlockerList blockers={gate.blockers} />
      <GatePolicy policy={policy} />
      {refusal ? <p className="text-sm font-medium text-slate-900">You cannot approve: {refusal}</p> : null}
      {offerApprove || canReject ? (
        <div className="flex flex-wrap gap-2">
          {offerApprove ? (
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
