"use client";
import { useState } from "react";
import { resumeRunAction } from "@/server/actions/resume-run";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { useRunCommand } from "@/components/runs/use-run-command";
import { useRunFeedback } from "@/components/runs/run-feedback";
import { Button } from "@/components/ui/button";
import { RunPauseDialog } from "./run-pause-dialog";
import { StepPromoteDialog } from "./step-promote-dialog";

/** Pause, resume and promote, for the roles that may, only while a rollout is under way. */
export function RolloutControls({ runId, state }: { runId: string; state: RunState }) {
  const canPause = useCan("run.pause");
  const canResume = useCan("run.resume");
  const canPromote = useCan("run.promote");
  const report = useRunFeedback();
  const resume = useRunCommand(runId);
  const [dialog, setDialog] = useState<"pause" | "promote" | null>(null);

  if (state.phase !== "rollout" || (state.status !== "running" && state.status !== "paused")) return null;
  const showPause = canPause && state.status === "running";
  const showResume = canResume && state.status === "paused";
  const showPromote = canPromote && state.stepPhase === "holding";
  if (!showPause && !showResume && !showPromote) return null;

  return (
    <div className="flex flex-wrap gap-2">
      {showPause ? (
        <Button variant="secondary" onClick={() => setDialog("pause")}>
          <span aria-hidden="true">❚❚</span> Pause
        </Button>
      ) : null}
      {showResume ? (
        <Button
          variant="primary"
          pending={resume.pending}
          onClick={async () => {
            const r = await resume.execute(() => resumeRunAction({ runId }), "Rollout resumed.");
            if (!r.ok) report(r.error, "critical");
          }}
        >
          <span aria-hidden="true">▶</span> Resume
        </Button>
      ) : null}
      {showPromote ? (
        <Button variant="secondary" onClick={() => setDialog("promote")}>
          <span aria-hidden="true">»</span> Promote
        </Button>
      ) : null}
      <RunPauseDialog runId={runId} open={dialog === "pause"} onClose={() => setDialog(null)} />
      <StepPromoteDialog runId={runId} open={dialog === "promote"} onClose={() => setDialog(null)} />
    </div>
  );
}
