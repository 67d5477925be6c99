"use client";
import { useState, type FormEvent } from "react";
import { saveFlagAction } from "@/server/actions/save-flag";
import type { FlagItem } from "@/server/services/flag-admin";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { FormOutcome } from "@/components/ui/form-outcome";

// One flag's definition: its key (fixed once created: SDK calls and runs name it), a description,
// 2–20 variants with a JSON value each, and the default everyone gets when no run rolls another
// variant out. The server checks everything again and answers field by field.

type VariantRow = { name: string; value: string };
type State = { pending: boolean; error: string | null; fieldErrors: Record<string, string[]> };
const IDLE: State = { pending: false, error: null, fieldErrors: {} };

const NEW_VARIANTS: VariantRow[] = [
  { name: "off", value: "false" },
  { name: "on", value: "true" },
];

export function FlagForm({
  serviceId,
  environment,
  place,
  flag,
  onSaved,
  onCancel,
}: {
  serviceId: string;
  environment: "staging" | "production";
  /** e.g. "Storefront staging", for the form's accessible name */
  place: string;
  /** the flag being edited; absent: a new flag */
  flag?: FlagItem;
  onSaved: (flag: FlagItem) => void;
  onCancel?: () => void;
}) {
  const [key, setKey] = useState(flag?.key ?? "");
  const [description, setDescription] = useState(flag?.description ?? "");
  const [variants, setVariants] = useState<VariantRow[]>(flag ? flag.variants.map((v) => ({ name: v.name, value: JSON.stringify(v.value) })) : NEW_VARIANTS);
  const [defaultVariant, setDefaultVariant] = useState(flag?.defaultVariant ?? "off");
  const [state, setState] = useState<State>(IDLE);
  const err = (k: string) => state.fieldErrors[k];
  const update = (i: number, patch: Partial<VariantRow>) => setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setState({ ...IDLE, pending: true });
    try {
      const r = await saveFlagAction({ serviceId, environment, key, description, variants, defaultVariant, ...(flag ? { revision: flag.revision } : {}) });
      if (r.ok) {
        // The list above says what was saved (this form closes or starts over).
        setState(IDLE);
        onSaved(r.data);
      } else setState({ ...IDLE, error: r.error, fieldErrors: r.fieldErrors ?? {} });
    } catch {
      setState({ ...IDLE, error: "Flightdeck could not be reached. Try again." });
    }
  }

  const names = variants.map((v) => v.name.trim()).filter(Boolean);
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={flag ? `Edit flag ${flag.key} of ${place}` : `New flag for ${place}`}>
      {flag ? null : (
        <Field label="Key" hint="What SDKs ask for, e.g. new-checkout. Lower-case; it cannot change later." error={err("key")}>
          {(p) => <input {...p} value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" spellCheck={false} className={`${controlClasses} font-mono`} />}
        </Field>
      )}
      <Field label="Description" hint="Optional: what the flag changes for users." error={err("description")}>
        {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} className={controlClasses} />}
      </Field>
      <fieldset className="space-y-2 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold text-slate-900">Variants</legend>
        <p className="text-xs text-slate-700">Each value is JSON: true, false, a number, a quoted string like &quot;blue&quot;, or an object.</p>
        {err("variants") ? (
          <div className="space-y-0.5 text-sm font-medium text-red-800">
            {err("variants")?.map((m) => <p key={m}>{m}</p>)}
          </div>
        ) : null}
        {variants.map((v, i) => (
          <div key={i} className="grid items-start gap-2 sm:grid-cols-[1fr_1fr_auto]" data-testid={`flag-variant-${i}`}>
            <Field label={`Variant ${i + 1} name`} error={err(`variants.${i}.name`)}>
              {(p) => <input {...p} value={v.name} onChange={(e) => update(i, { name: e.target.value })} autoComplete="off" spellCheck={false} className={`${controlClasses} font-mono`} />}
            </Field>
            <Field label={`Variant ${i + 1} value`} error={err(`variants.${i}.value`)}>
              {(p) => <input {...p} value={v.value} onChange={(e) => update(i, { value: e.target.value })} autoComplete="off" spellCheck={false} className={`${controlClasses} font-mono`} />}
            </Field>
            <Button variant="ghost" size="sm" className="sm:mt-6" onClick={() => setVariants(variants.filter((_, j) => j !== i))} disabled={variants.length <= 1}>
              Remove variant {i + 1}
            </Button>
          </div>
        ))}
        <Button variant="secondary" size="sm" onClick={() => setVariants([...variants, { name: "", value: "" }])} disabled={variants.length >= 20}>
          Add a variant
        </Button>
      </fieldset>
      <Field label="Default variant" hint="What everyone gets while no run rolls another variant out." error={err("defaultVariant")}>
        {(p) => (
          <select {...p} value={defaultVariant} onChange={(e) => setDefaultVariant(e.target.value)} className={controlClasses}>
            {names.includes(defaultVariant) ? null : <option value={defaultVariant}>{defaultVariant || "Choose a variant"}</option>}
            {[...new Set(names)].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" pending={state.pending}>
          {flag ? `Save ${flag.key}` : "Create flag"}
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <FormOutcome error={state.error} done={null} />
      </div>
    </form>
  );
}
