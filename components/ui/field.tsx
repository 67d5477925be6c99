"use client";
import { useId, type ReactNode } from "react";
import { asSentences } from "@/server/core/sentences";

/** What a form control needs to be tied to its label, hint and error. */
export type ControlProps = { id: string; "aria-describedby"?: string; "aria-invalid"?: true };

/**
 * A labelled form field. The control is rendered by `children` with the ids it needs, so the
 * same wiring serves inputs, selects and textareas.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string[] | string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // Each error is its own sentence in its own element, so hint and errors never run together.
  const errors = asSentences(typeof error === "string" ? [error] : (error ?? []));
  const describedBy = [hint ? hintId : null, errors.length > 0 ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {children({ id, "aria-describedby": describedBy || undefined, "aria-invalid": errors.length > 0 ? true : undefined })}
      {hint ? (
        <p id={hintId} className="text-xs text-slate-700">
          {hint}
        </p>
      ) : null}
      {errors.length > 0 ? (
        <div id={errorId} className="space-y-0.5 text-sm font-medium text-red-800">
          {errors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      ) : null}
    </div>
  );
}

const controlBase =
  "rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 " +
  "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700 " +
  "aria-[invalid=true]:border-red-700";

/** Classes shared by text inputs, selects and textareas that fill their column. */
export const controlClasses = `block w-full ${controlBase}`;

/** The same look for a control that sits inline next to its button (set its width). */
export const inlineControlClasses = `inline-block ${controlBase}`;
