"use client";
import { waiveBlockersAction } from "@/server/actions/waive-blockers";
import { RunCommandDialog, type RunCommandDialogProps } from "./run-command-dialog";

/** Waives every waivable blocker of the open gate; the reason is kept with each of them. */
export function BlockersWaiveDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Waive the blockers?"
      description="Each waivable blocker is marked waived by you, with this reason, in the record and audit trail."
      reasonLabel="Reason for waiver"
      reasonRequired
      confirmLabel="Confirm waiver"
      successMessage="Blockers waived."
      submit={(reason) => waiveBlockersAction({ runId: props.runId, reason })}
    />
  );
}
