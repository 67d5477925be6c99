"use client";
import { promoteStepAction } from "@/server/actions/promote-step";
import { RunCommandDialog, type RunCommandDialogProps } from "@/components/runs/run-command-dialog";

/** Ends the current hold early and moves to the next step; the reason is required by policy. */
export function StepPromoteDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Promote to the next step?"
      description="The current hold ends now and the rollout moves to the next step."
      reasonLabel="Reason for promoting early"
      reasonRequired
      confirmLabel="Confirm promotion"
      successMessage="Promoted to the next step."
      submit={(reason) => promoteStepAction({ runId: props.runId, reason })}
    />
  );
}
