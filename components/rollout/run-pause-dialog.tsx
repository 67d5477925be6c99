"use client";
import { pauseRunAction } from "@/server/actions/pause-run";
import { RunCommandDialog, type RunCommandDialogProps } from "@/components/runs/run-command-dialog";

/** Freezes the hold countdown; traffic stays where it is until someone resumes. */
export function RunPauseDialog(props: RunCommandDialogProps) {
  return (
    <RunCommandDialog
      {...props}
      title="Pause the rollout?"
      description="Traffic stays at its current split and the hold countdown stops until the run is resumed."
      reasonLabel="Reason (optional)"
      reasonRequired={false}
      confirmLabel="Confirm pause"
      successMessage="Rollout paused."
      submit={(reason) => pauseRunAction({ runId: props.runId, reason })}
    />
  );
}
