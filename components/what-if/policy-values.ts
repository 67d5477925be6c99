import type { AnalysisPolicy } from "@/server/core/analysis/analysis-policy";
import type { ActionResult } from "@/server/actions/result";

/** A fraction as the form's percent field shows it: 0.075 → "7.5". */
export function asPercent(fraction: number): string {
  return String(Number((fraction * 100).toPrecision(4)));
}

/** A policy as the form's field values (percent for rates; empty hold fields mean "off"). */
export function policyFields(p: AnalysisPolicy): Record<string, string> {
  return {
    confidence: String(p.confidence),
    errorRollbackPct: asPercent(p.errorRollbackAbove),
    errorHoldPct: p.errorHoldAbove === null ? "" : asPercent(p.errorHoldAbove),
    p95Factor: String(p.p95Factor),
    p95HoldFactor: p.p95Hold ? String(p.p95Hold.factor) : "",
    p95HoldSharePct: p.p95Hold ? asPercent(p.p95Hold.share) : "",
    p99Factor: String(p.p99Factor),
  };
}

/** The confidence levels as the select offers them. */
export const CONFIDENCE_OPTIONS = [
  { value: "0.95", label: "95% (α 5%)" },
  { value: "0.99", label: "99% (α 1%, default)" },
  { value: "0.999", label: "99.9% (α 0.1%)" },
] as const;

/** A form's string fields, read from the form element. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((v, k) => {
    if (typeof v === "string") values[k] = v;
  });
  return values;
}

/** Field errors for one form field, whatever prefix the server gave them ("policy.x" or "x"). */
export function errorsFor(result: ActionResult<unknown> | null, field: string): string[] | undefined {
  if (!result || result.ok) return undefined;
  return result.fieldErrors?.[`policy.${field}`] ?? result.fieldErrors?.[field];
}

/** Moves focus to the first field the server refused, so a keyboard or screen-reader user lands on it. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
}
