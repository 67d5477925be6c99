import { memo } from "react";
import type { Criterion, EvidenceRef } from "@/server/core/success-criteria";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { criterionLook } from "./labels";

/** Where on the run page (or which document) a criterion's evidence is. */
function evidenceLink(runId: string, ref: EvidenceRef): { href: string; label: string } {
  switch (ref.kind) {
    case "agent":
      return { href: `#agent-card-${ref.agent}`, label: ref.agent };
    case "analysis":
      return { href: "#live-metrics", label: "canary analysis" };
    case "rollback":
      return { href: "#rollback", label: "rollback procedure" };
    case "record":
      return { href: `/runs/${runId}/record`, label: "release record" };
    case "audit":
      return { href: "#audit", label: "audit trail" };
    default: {
      const never: never = ref;
      return never;
    }
  }
}

/** The procedure's success criteria, filled in live, each linked to its evidence. */
export const SuccessCriteria = memo(function SuccessCriteria({ runId, criteria }: { runId: string; criteria: Criterion[] }) {
  const met = criteria.filter((c) => c.status === "met").length;
  return (
    <Card title="Success criteria" id="success-criteria" actions={<span className="text-sm text-slate-700">{met} of {criteria.length} met</span>}>
      <ul className="divide-y divide-slate-200">
        {criteria.map((c) => {
          const look = criterionLook(c.status);
          return (
            <li key={c.id} data-criterion={c.id} data-status={c.status} className="flex flex-wrap items-start gap-x-3 gap-y-1 py-2">
              <span className="w-28 shrink-0">
                <Badge tone={look.tone} icon={look.icon}>
                  {look.text}
                </Badge>
              </span>
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium text-slate-900">{c.label}</p>
                <p className="break-words text-sm text-slate-700">{c.detail}</p>
              </div>
              {c.evidence.length > 0 ? (
                <p className="text-sm">
                  <span className="sr-only">Evidence for {c.label}: </span>
                  {c.evidence.map((ref, i) => {
                    const link = evidenceLink(runId, ref);
                    return (
                      <span key={link.href}>
                        {i > 0 ? ", " : ""}
                        <a href={link.href} className="text-blue-800 underline underline-offset-2 hover:text-blue-950 focus-visible:outline-2 focus-visible:outline-blue-700">
                          {link.label}
                        </a>
                      </span>
                    );
                  })}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </Card>
  );
});
