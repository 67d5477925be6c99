"use client";
import { useQueryClient } from "@tanstack/react-query";
import { updateEnvironmentAction } from "@/server/actions/update-environment";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { inlineControlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { FormOutcome } from "@/components/ui/form-outcome";

/** What a hold scale means in words: "1/60 of full length: a 30-minute hold lasts 30 s". */
export function describeHoldScale(scale: number): string {
  if (!Number.isFinite(scale) || scale <= 0) return "";
  const held = 30 * 60 * scale; // seconds of the procedure's 30-minute canary hold
  const lasts = held >= 120 ? `${Math.round(held / 60)} min` : `${Math.round(held)} s`;
  const inverse = 1 / scale;
  const ratio = scale === 1 ? "full length" : Math.abs(inverse - Math.round(inverse)) < 0.01 && inverse > 1 ? `1/${Math.round(inverse)} of full length` : `${Number(scale.toPrecision(3))}× full length`;
  return `${ratio}: a 30-minute hold lasts ${lasts}`;
}

/** Hold scale of one environment (1 = production durations; staging defaults to 1/60). */
export function EnvironmentHoldForm({ serviceId, serviceName, name, holdScale }: { serviceId: string; serviceName: string; name: string; holdScale: number }) {
  const qc = useQueryClient();
  const form = useActionForm(
    (v) => updateEnvironmentAction({ serviceId, name, holdScale: v.holdScale }),
    () => {
      void qc.invalidateQueries({ queryKey: servicesKey });
      return "Saved.";
    },
  );
  const id = `hold-${serviceId}-${name}`;
  const message = form.fieldErrors.holdScale ?? form.error;
  const meaning = describeHoldScale(holdScale);
  return (
    <form onSubmit={form.onSubmit} className="flex flex-wrap items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Hold scale for {serviceName} {name}
      </label>
      <input
        id={id}
        name="holdScale"
        type="number"
        step="any"
        min="0"
        max="10"
        defaultValue={Number(holdScale.toPrecision(4))}
        aria-invalid={message ? true : undefined}
        aria-describedby={[`${id}-meaning`, message ? `${id}-msg` : ""].filter(Boolean).join(" ")}
        className={`${inlineControlClasses} w-28`}
      />
      <span id={`${id}-meaning`} className="text-xs text-slate-700">
        {meaning}
      </span>
      <Button type="submit" variant="secondary" size="sm" pending={form.pending} aria-label={`Save hold scale for ${serviceName} ${name}`}>
        Save
      </Button>
      <FormOutcome error={message} done={form.done} errorId={`${id}-msg`} />
    </form>
  );
}
