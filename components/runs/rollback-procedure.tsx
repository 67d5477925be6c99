import type { RollbackState } from "@/server/core/types";
import type { EmergencyContactView } from "@/server/contracts/runs-api";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { EmergencyContactList } from "./emergency-contacts";
import { humanize } from "./labels";

const STEP_LABELS: Record<string, string> = {
  revert_traffic: "Revert traffic to the baseline",
  data_migration: "Data-migration hook",
  cache_invalidation: "Cache / CDN invalidation",
  notify: "Notify stakeholders",
  postmortem: "Post-mortem draft",
};

const LOOK: Record<string, { tone: BadgeTone; icon: string }> = {
  pending: { tone: "neutral", icon: "○" },
  running: { tone: "info", icon: "▶" },
  done: { tone: "success", icon: "✓" },
  failed: { tone: "danger", icon: "✕" },
  skipped: { tone: "muted", icon: "–" },
};

/** The rollback procedure, step by step, why it started, and who to call (the procedure's emergency contacts). */
export function RollbackProcedure({ rollback, contacts }: { rollback: RollbackState; contacts?: EmergencyContactView[] }) {
  return (
    <Card title="Rollback" id="rollback" className="border-red-300">
      <p className="text-sm text-slate-900">
        <span className="font-medium">Reason:</span> {rollback.reason}
      </p>
      <p className="mt-1 text-xs text-slate-700">
        {rollback.trigger ? `Triggered automatically by ${rollback.trigger}` : "Requested by a person"} · started <LocalTime value={rollback.startedAt} />
      </p>
      <ol className="mt-3 space-y-2">
        {rollback.steps.map((s) => {
          const look = LOOK[s.status] ?? { tone: "neutral" as const, icon: "•" };
          return (
            <li key={s.kind} className="flex flex-wrap items-start justify-between gap-2 rounded-md border border-slate-200 p-2">
              <span className="text-sm">
                <span className="block font-medium text-slate-900">{STEP_LABELS[s.kind] ?? humanize(s.kind)}</span>
                {s.detail ? <span className="block text-xs text-slate-700">{s.detail}</span> : null}
              </span>
              <Badge tone={look.tone} icon={look.icon}>
                {s.status}
              </Badge>
            </li>
          );
        })}
      </ol>
      {contacts ? (
        <div className="mt-4">
          <h3 id="rollback-contacts-title" className="text-sm font-semibold text-slate-900">
            Emergency contacts
          </h3>
          <EmergencyContactList contacts={contacts} headingId="rollback-contacts-title" />
        </div>
      ) : null}
    </Card>
  );
}
