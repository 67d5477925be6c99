"use client";
import { useRef, useState, type FormEvent } from "react";
import { replayRunAction } from "@/server/actions/replay-run";
import type { ActionResult } from "@/server/actions/result";
import { POLICY_BOUNDS, type AnalysisPolicy } from "@/server/core/analysis/analysis-policy";
import type { RunWhatIf } from "@/server/services/what-if";
import { Button } from "@/components/ui/button";
import { FormOutcome } from "@/components/ui/form-outcome";
import { ConfidenceField, PolicyNumberField } from "./policy-fields";
import { focusFirstInvalid, formValues, policyFields } from "./policy-values";
import { ReplayStepsTable } from "./replay-steps-table";

/**
 * The run page's what-if: replay this finished run under another confidence level, error
 * threshold and p95 factor (the run's other settings stay), and show each step's outcome next to
 * what really happened. Loaded only when the panel is opened.
 */
export default function RunWhatIfForm({ runId, policy }: { runId: string; policy: AnalysisPolicy }) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<ActionResult<RunWhatIf> | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const start = policyFields(policy);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    let next: ActionResult<RunWhatIf>;
    try {
      next = await replayRunAction({ runId, ...formValues(e.currentTarget) });
    } catch {
      next = { ok: false, status: 0, error: "Flightdeck could not be reached. Try again." };
    }
    setPending(false);
    setResult(next);
    if (next.ok) requestAnimationFrame(() => resultRef.current?.focus());
    else focusFirstInvalid(formRef.current);
  }

  const error = result && !result.ok ? result.error : null;
  return (
    <div className="space-y-4">
      <form ref={formRef} onSubmit={(e) => void onSubmit(e)} className="grid gap-3 sm:grid-cols-4 sm:items-end" noValidate>
        <ConfidenceField result={result} defaultValue={start.confidence} />
        <PolicyNumberField result={result} name="errorRollbackPct" label="Error threshold (%)" bounds={POLICY_BOUNDS.errorRollbackPct} defaultValue={start.errorRollbackPct} />
        <PolicyNumberField result={result} name="p95Factor" label="p95 factor (× baseline)" bounds={POLICY_BOUNDS.latencyFactor} defaultValue={start.p95Factor} />
        <div>
          <Button type="submit" variant="secondary" pending={pending}>
            {pending ? "Replaying…" : "Replay this run"}
          </Button>
        </div>
      </form>
      <FormOutcome error={error} done={null} />
      {result?.ok ? (
        <div className="space-y-3">
          <h3 ref={resultRef} tabIndex={-1} className="text-base font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-700">
            {result.data.replay.summary}
          </h3>
          <p className="text-sm text-slate-700">What happened: {result.data.actually}</p>
          <ReplayStepsTable result={result.data} caption="Each step: what happened and what the replayed policy would have done" />
          <ul className="list-disc space-y-1 pl-5 text-xs text-slate-700">
            {result.data.replay.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
