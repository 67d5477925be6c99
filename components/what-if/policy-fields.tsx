import type { ActionResult } from "@/server/actions/result";
import { controlClasses, Field } from "@/components/ui/field";
import { CONFIDENCE_OPTIONS, errorsFor } from "./policy-values";

/** The confidence-level select both policy forms (Settings, what-if) start with. */
export function ConfidenceField({ result, defaultValue, hint }: { result: ActionResult<unknown> | null; defaultValue: string | undefined; hint?: string }) {
  return (
    <Field label="Confidence level" hint={hint} error={errorsFor(result, "confidence")}>
      {(p) => (
        <select {...p} name="confidence" defaultValue={defaultValue} className={controlClasses}>
          {CONFIDENCE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** One numeric policy field (a percent or a factor) with its bounds and the server's errors for it. */
export function PolicyNumberField(props: {
  result: ActionResult<unknown> | null;
  name: string;
  label: string;
  bounds: { min: number; max: number };
  defaultValue: string | undefined;
  hint?: string;
}) {
  const { result, name, label, bounds, defaultValue, hint } = props;
  return (
    <Field label={label} hint={hint} error={errorsFor(result, name)}>
      {(p) => <input {...p} name={name} type="number" inputMode="decimal" step="any" min={bounds.min} max={bounds.max} defaultValue={defaultValue} className={controlClasses} />}
    </Field>
  );
}
