import type { ApiTokenScope } from "@/server/services/api-tokens";

/** What each scope lets a token do, in the words of the person granting it (every scope listed). */
export const SCOPE_DESCRIPTIONS: Record<ApiTokenScope, string> = {
  "runs:read": "List and read runs and follow one live (GET /api/v1/runs…, the events stream).",
  "runs:write": "Create runs and send them commands (approve, promote, pause, roll back…) from CI, with the token's role. Does not include runs:read.",
  "metrics:write": "Send request, resource, business and Web Vitals samples (POST /api/v1/metrics).",
  "signals:write": "Post security signals; a signal rolls a run back (POST /api/v1/signals).",
};

export const SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as ApiTokenScope[];

/** A token's scopes as short code labels. */
export function ScopeList({ scopes }: { scopes: string[] }) {
  return (
    <ul className="flex flex-wrap gap-1">
      {scopes.map((s) => (
        <li key={s}>
          <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">{s}</code>
        </li>
      ))}
    </ul>
  );
}
