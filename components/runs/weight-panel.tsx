"use client";
import { confirmWeightAction } from "@/server/actions/confirm-weight";
import { whoMay } from "@/server/core/run-summary";
import type { RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { Button } from "@/components/ui/button";
import { useRunFeedback } from "./run-feedback";
import { useRunCommand } from "./use-run-command";

/**
 * Manual router: the team's deploy tool moves traffic and a person confirms it here. During a
 * rollback the target is always 0% (traffic back to the baseline).
 */
export function WeightPanel({ runId, state }: { runId: string; state: RunState }) {
  const canConfirm = useCan("run.confirmWeight");
  const report = useRunFeedback();
  const confirm = useRunCommand(runId);
  const percent = state.status === "rolling_back" ? 0 : (state.steps[state.stepIndex]?.percent ?? 0);
  return (
    <div className="space-y-3">
      {/* An instruction only for those who may follow it (issue 11); the others read what is awaited. */}
      <p className="text-base font-medium text-slate-900">
        {canConfirm ? `Set canary traffic to ${percent}% in your deploy tool, then confirm` : `Waiting for ${percent}% of traffic on the canary to be confirmed`}
      </p>
      <p className="text-sm text-slate-700">
        {state.status === "rolling_back"
          ? "Rolling back: every request must go to the baseline again."
          : `Now at ${state.canaryPercent}% canary. The hold starts once you confirm.`}
      </p>
      {canConfirm ? (
        <Button
          variant={state.status === "rolling_back" ? "danger" : "primary"}
          size="lg"
          pending={confirm.pending}
          onClick={async () => {
            const r = await confirm.execute(() => confirmWeightAction({ runId, percent }), `Confirmed ${percent}% on the canary.`);
            if (!r.ok) report(r.error, "critical");
          }}
        >
          Confirm {percent}% applied
        </Button>
      ) : (
        <p className="text-sm text-slate-700">{whoMay("run.confirmWeight", { capital: true })} confirms it once the deploy tool has moved the traffic.</p>
      )}
    </div>
  );
}
