"use client";
import { useQueryClient } from "@tanstack/react-query";
import { updateEnvironmentAction } from "@/server/actions/update-environment";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { inlineControlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { FormOutcome } from "@/components/ui/form-outcome";

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
  const message = form.fieldErrors.holdScale?.join(" ") ?? form.error;
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
        aria-describedby={message ? `${id}-msg` : undefined}
        className={`${inlineControlClasses} w-28`}
      />
      <Button type="submit" variant="secondary" size="sm" pending={form.pending} aria-label={`Save hold scale for ${serviceName} ${name}`}>
        Save
      </Button>
      <FormOutcome error={message ?? null} done={form.done} errorId={`${id}-msg`} />
    </form>
  );
}
