"use client";
import { rejectGateAction } from "@/server/actions/reject-gate";
import { RunCommandDialog, type RunCommandDialogProps } from "./run-command-dialog";

/** Rejecting the approval gate ends the run as failed, with the reason on record. */
export function GateRejectDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Reject this release?"
      description="The run ends as failed at the approval gate."
      reasonLabel="Reason for rejection"
      reasonRequired
      confirmLabel="Confirm rejection"
      confirmVariant="danger"
      successMessage="Release rejected."
      submit={(reason) => rejectGateAction({ runId: props.runId, reason })}
    />
  );
}
