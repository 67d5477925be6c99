"use client";
import { useId } from "react";
import { asSentences } from "@/server/core/sentences";

/** Staging or production as a radio group; the legend names the group for screen readers. */
export function EnvironmentRadios({ values, error, value, onChange }: { values: readonly string[]; error?: string[]; value?: string; onChange?: (value: string) => void }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-900">Environment</legend>
      <div className="mt-2 flex flex-wrap gap-3">
        {values.map((v, i) => (
          <label key={v} className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 has-[:checked]:border-slate-900 has-[:checked]:ring-1 has-[:checked]:ring-slate-900">
            <input type="radio" name="environment" value={v} {...(value !== undefined ? { checked: value === v, onChange: () => onChange?.(v) } : { defaultChecked: i === 0 })} aria-invalid={error ? true : undefined} className="h-4 w-4 accent-slate-900" />
            {v}
          </label>
        ))}
      </div>
      {error ? (
        <p id={errorId} className="mt-1 text-sm font-medium text-red-800">
          {asSentences(error).join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}
