"use client";
import { rollBackRunAction } from "@/server/actions/roll-back-run";
import { RunCommandDialog, type RunCommandDialogProps } from "./run-command-dialog";

/** The big red button's confirmation: one reason, then traffic goes back to the baseline. */
export function RollbackDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Roll back this release?"
      description="Traffic returns to the baseline first, then the rest of the rollback procedure runs. Pressing it twice rolls back once."
      reasonLabel="Reason"
      reasonRequired
      confirmLabel="Confirm rollback"
      confirmVariant="danger"
      successMessage="Rollback started."
      submit={(reason) => rollBackRunAction({ runId: props.runId, reason })}
    />
  );
}
