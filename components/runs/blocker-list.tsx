import type { Blocker } from "@/server/core/types";
import { Badge } from "@/components/ui/badge";

/** Why a gate cannot pass: open blockers first, then those already waived (and by whom). */
export function BlockerList({ blockers }: { blockers: Blocker[] }) {
  if (blockers.length === 0) return null;
  const sorted = [...blockers].sort((a, b) => Number(a.waived !== null) - Number(b.waived !== null));
  return (
    <ul className="space-y-2">
      {sorted.map((b) => (
        <li key={b.id} className="flex flex-wrap items-start gap-2 text-sm text-slate-900">
          {b.waived ? (
            <Badge tone="neutral" icon="✓">waived</Badge>
          ) : b.waivable ? (
            <Badge tone="warning" icon="!">blocking · waivable</Badge>
          ) : (
            <Badge tone="danger" icon="✕">blocking · cannot be waived</Badge>
          )}
          <span className="min-w-0 flex-1">
            {b.message}
            {b.waived ? <span className="block text-xs text-slate-700">Waived by {b.waived.by}: {b.waived.reason}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
