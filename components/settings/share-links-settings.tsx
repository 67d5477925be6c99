"use client";
import { revokeShareLinkAction } from "@/server/actions/revoke-share-link";
import type { ShareLinkItem } from "@/server/services/share-links";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ConfirmActionButton } from "@/components/ui/confirm-action-button";
import { LocalTime } from "@/components/ui/local-time";
import { ShareLinkButton } from "@/components/share/share-link-dialog";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** Read-only links for stakeholders: what each opens, who made it, how often it was viewed; revocable at once. */
export function ShareLinksSettings({ links, services }: { links: ShareLinkItem[]; services: { id: string; name: string }[] }) {
  return (
    <section aria-labelledby="share-links-title" className="space-y-4">
      <h2 id="share-links-title" className="text-lg font-semibold text-slate-900">
        Share links
      </h2>
      <Card title="Read-only links" level={3} id="share-link-list">
        <p className="mb-3 text-sm text-slate-700">Made from a run&apos;s page or a service&apos;s settings. Holders see the live page without signing in; a revoked link stops working at their next update (within seconds).</p>
        {links.length === 0 ? (
          <p className="text-sm text-slate-700">No share links yet.</p>
        ) : (
          <div className="overflow-x-auto" role="region" aria-label="Share links" tabIndex={0}>
            <table className="min-w-full">
              <thead>
                <tr className="border-b border-slate-200">
                  <th scope="col" className={th}>Opens</th>
                  <th scope="col" className={th}>Label</th>
                  <th scope="col" className={th}>Created by</th>
                  <th scope="col" className={th}>Expires</th>
                  <th scope="col" className={th}>Views</th>
                  <th scope="col" className={th}>Status</th>
                  <th scope="col" className={th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {links.map((l) => (
                  <tr key={l.id}>
                    <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                      {l.runId ? <a href={`/runs/${l.runId}`} className="text-blue-800 underline">{l.target}</a> : l.target}
                    </th>
                    <td className={td}>{l.label || "—"}</td>
                    <td className={td}>
                      {l.createdByName}, <LocalTime value={l.createdAt} withSeconds={false} />
                    </td>
                    <td className={`${td} whitespace-nowrap`}>
                      <LocalTime value={l.expiresAt} withSeconds={false} />
                    </td>
                    <td className={`${td} tabular-nums`}>
                      {l.views}
                      {l.lastViewedAt ? (
                        <span className="block text-xs text-slate-600">
                          last <LocalTime value={l.lastViewedAt} withSeconds={false} />
                        </span>
                      ) : null}
                    </td>
                    <td className={td}>
                      <Badge tone={l.status === "active" ? "success" : "muted"}>{l.status === "active" ? "Active" : l.status === "expired" ? "Expired" : "Revoked"}</Badge>
                    </td>
                    <td className={td}>{l.status === "active" ? <RevokeShareLinkButton id={l.id} what={l.target} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {services.length > 0 ? (
        <Card title="Share a service's releases" level={3}>
          <p className="mb-3 text-sm text-slate-700">One link that lists a service&apos;s latest releases and opens each of them live. To share one run, use the button on its page.</p>
          <ul className="flex flex-wrap gap-3">
            {services.map((s) => (
              <li key={s.id} className="flex items-center gap-2 text-sm text-slate-800">
                {s.name}: <ShareLinkButton target={{ kind: "service", serviceId: s.id }} what={`the releases of ${s.name}`} />
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </section>
  );
}

function RevokeShareLinkButton({ id, what }: { id: string; what: string }) {
  return (
    <ConfirmActionButton
      label="Revoke"
      ariaLabel={`Revoke the link to ${what}`}
      title="Revoke this link?"
      description={`Whoever holds the link to ${what} loses access at their next update, within seconds. This cannot be undone.`}
      confirmLabel="Revoke link"
      action={() => revokeShareLinkAction({ id })}
    />
  );
}
