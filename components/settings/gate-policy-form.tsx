"use client";
import { useQueryClient } from "@tanstack/react-query";
import { updateGatePolicyAction } from "@/server/actions/update-gate-policy";
import type { Severity } from "@/server/core/types";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { inlineControlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { FormOutcome } from "@/components/ui/form-outcome";

/** What a blocking-severity setting means, in the words the gate uses. */
export function describeBlockingSeverity(value: Severity | null): string {
  return value ? `${value} or above block` : "procedure default: critical blocks (high under PCI DSS or HIPAA)";
}

/**
 * Which findings block an environment's gates. Compliance can make it stricter for a run (PCI DSS
 * and HIPAA block on high), never looser; runs already created keep the policy they started with.
 */
export function GatePolicyForm({ serviceId, serviceName, name, blockingSeverity }: { serviceId: string; serviceName: string; name: string; blockingSeverity: Severity | null }) {
  const qc = useQueryClient();
  const form = useActionForm(
    (v) => updateGatePolicyAction({ serviceId, name, blockingSeverity: v.blockingSeverity }),
    () => {
      void qc.invalidateQueries({ queryKey: servicesKey });
      return "Saved.";
    },
  );
  const id = `gate-${serviceId}-${name}`;
  const message = form.fieldErrors.blockingSeverity ?? form.error;
  return (
    <form onSubmit={form.onSubmit} className="flex flex-wrap items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Blocking findings for {serviceName} {name}
      </label>
      <select
        id={id}
        name="blockingSeverity"
        defaultValue={blockingSeverity ?? "default"}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? `${id}-msg` : undefined}
        className={`${inlineControlClasses} w-44`}
      >
        <option value="default">Default (critical)</option>
        <option value="critical">Critical blocks</option>
        <option value="high">High or above blocks</option>
        <option value="medium">Medium or above blocks</option>
      </select>
      <Button type="submit" variant="secondary" size="sm" pending={form.pending} aria-label={`Save blocking findings for ${serviceName} ${name}`}>
        Save
      </Button>
      <FormOutcome error={message} done={form.done} errorId={`${id}-msg`} />
    </form>
  );
}
