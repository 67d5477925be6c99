"use client";
import { abortRunAction } from "@/server/actions/abort-run";
import { RunCommandDialog, type RunCommandDialogProps } from "./run-command-dialog";

/** Stops a run before any traffic reached the new version. */
export function RunAbortDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Abort this run?"
      description="No traffic has reached the new version yet. Running checks are cancelled and the run ends as aborted."
      reasonLabel="Reason"
      reasonRequired
      confirmLabel="Confirm abort"
      confirmVariant="danger"
      successMessage="Run aborted."
      submit={(reason) => abortRunAction({ runId: props.runId, reason })}
    />
  );
}
