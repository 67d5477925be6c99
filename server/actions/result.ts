import { ZodError } from "zod";
import { fieldErrors } from "../services/schemas.ts";
import { toPublicError } from "../errors.ts";

/** What every server action returns: data, or a message (and field errors) safe to show. */
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; error: string; fieldErrors?: Record<string, string[]> };

/** Runs an action body and maps anything thrown to a safe result (never a raw exception). */
export async function actionResult<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (e) {
    if (e instanceof ZodError) {
      return { ok: false, status: 400, error: "Please correct the highlighted fields.", fieldErrors: fieldErrors(e) };
    }
    const pub = toPublicError(e);
    return { ok: false, status: pub.status, error: pub.message, ...(pub.fieldErrors ? { fieldErrors: pub.fieldErrors } : {}) };
  }
}
