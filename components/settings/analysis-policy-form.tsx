"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { previewAnalysisPolicyAction } from "@/server/actions/preview-analysis-policy";
import type { ActionResult } from "@/server/actions/result";
import { updateAnalysisPolicyAction } from "@/server/actions/update-analysis-policy";
import { DEFAULT_ANALYSIS_POLICY, POLICY_BOUNDS, type AnalysisPolicy } from "@/server/core/analysis/analysis-policy";
import type { RunWhatIf } from "@/server/services/what-if";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { FormOutcome } from "@/components/ui/form-outcome";
import { ConfidenceField, PolicyNumberField } from "@/components/what-if/policy-fields";
import { focusFirstInvalid, formValues, policyFields } from "@/components/what-if/policy-values";
import { AnalysisPolicyPreview } from "./analysis-policy-preview";

type Intent = "preview" | "save";

/**
 * An environment's analysis policy: confidence level and thresholds new runs get. "Preview on the
 * last 20 runs" replays the environment's past runs under the numbers in the form before anything
 * is saved; runs already created keep the config they started with.
 */
export function AnalysisPolicyForm({ environmentId, label, policy }: { environmentId: string; label: string; policy: AnalysisPolicy | null }) {
  const qc = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const previewRef = useRef<HTMLHeadingElement>(null);
  const [pending, setPending] = useState<Intent | null>(null);
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [preview, setPreview] = useState<RunWhatIf[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const start = policyFields(policy ?? DEFAULT_ANALYSIS_POLICY);

  async function run(intent: Intent, form: HTMLFormElement) {
    setPending(intent);
    setDone(null);
    const input = { environmentId, policy: formValues(form) };
    let next: ActionResult<unknown>;
    try {
      if (intent === "preview") {
        const answer = await previewAnalysisPolicyAction(input);
        if (answer.ok) setPreview(answer.data);
        next = answer;
      } else {
        next = await updateAnalysisPolicyAction(input);
      }
    } catch {
      next = { ok: false, status: 0, error: "Flightdeck could not be reached. Try again." };
    }
    setPending(null);
    setResult(next);
    if (!next.ok) focusFirstInvalid(formRef.current);
    else if (intent === "preview") requestAnimationFrame(() => previewRef.current?.focus());
    else {
      void qc.invalidateQueries({ queryKey: servicesKey });
      setDone("Saved. New runs in this environment get this policy; runs already created keep theirs.");
    }
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    void run("save", e.currentTarget);
  }

  const number = (name: string, fieldLabel: string, bounds: { min: number; max: number }, hint?: string) => (
    <PolicyNumberField result={result} name={name} label={fieldLabel} bounds={bounds} defaultValue={start[name]} hint={hint} />
  );

  return (
    <div className="space-y-4">
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-label={`Analysis policy for ${label}`} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <ConfidenceField result={result} defaultValue={start.confidence} hint="α = 1 − level: the run's false-rollback budget" />
          {number("errorRollbackPct", "Error rate: roll back above (%)", POLICY_BOUNDS.errorRollbackPct, "Default 1")}
          {number("errorHoldPct", "Error rate: hold above (%)", POLICY_BOUNDS.errorHoldPct, "Default 0.1; empty: no hold")}
          {number("p95Factor", "p95: roll back above (× baseline)", POLICY_BOUNDS.latencyFactor, "Default 1.5")}
          {number("p95HoldFactor", "p95 hold: factor (× baseline)", POLICY_BOUNDS.holdFactor, "Default 1; empty with the share: no hold")}
          {number("p95HoldSharePct", "p95 hold: share slower (%)", POLICY_BOUNDS.holdSharePct, "Default 7.5")}
          {number("p99Factor", "p99: roll back above (× baseline)", POLICY_BOUNDS.latencyFactor, "Default 1.5")}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="secondary" pending={pending === "preview"} disabled={pending !== null} onClick={() => formRef.current && void run("preview", formRef.current)}>
            {pending === "preview" ? "Replaying…" : "Preview on the last 20 runs"}
          </Button>
          <Button type="submit" pending={pending === "save"} disabled={pending !== null}>
            Save analysis policy
          </Button>
          <FormOutcome error={result && !result.ok ? result.error : null} done={done} />
        </div>
      </form>
      {preview ? (
        <div className="space-y-2">
          <h4 ref={previewRef} tabIndex={-1} className="text-sm font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-700">
            Proposed policy on the last {preview.length === 1 ? "run" : `${preview.length} runs`} (not saved)
          </h4>
          <AnalysisPolicyPreview rows={preview} label={`${label}: what the proposed analysis policy would have done`} />
        </div>
      ) : null}
    </div>
  );
}
