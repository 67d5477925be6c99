"use client";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/server/actions/result";

type FormState = { pending: boolean; error: string | null; fieldErrors: Record<string, string[]>; done: string | null };

/**
 * Submits a form's fields to a server action and keeps what the page must show: pending,
 * the form-level error, field errors and a success message.
 */
export function useActionForm<T>(
  action: (input: Record<string, string>) => Promise<ActionResult<T>>,
  onSuccess: (data: T, form: HTMLFormElement) => string | null,
) {
  const [state, setState] = useState<FormState>({ pending: false, error: null, fieldErrors: {}, done: null });

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const values: Record<string, string> = {};
    new FormData(form).forEach((v, k) => {
      if (typeof v === "string") values[k] = v;
    });
    setState({ pending: true, error: null, fieldErrors: {}, done: null });
    try {
      const result = await action(values);
      if (result.ok) {
        setState({ pending: false, error: null, fieldErrors: {}, done: onSuccess(result.data, form) });
      } else {
        setState({ pending: false, error: result.error, fieldErrors: result.fieldErrors ?? {}, done: null });
      }
    } catch {
      setState({ pending: false, error: "Flightdeck could not be reached. Try again.", fieldErrors: {}, done: null });
    }
  }

  return { ...state, onSubmit };
}
