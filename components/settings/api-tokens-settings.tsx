"use client";
import type { ApiTokenItem } from "@/server/services/api-tokens";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { ApiTokenCreateForm } from "./api-token-create-form";
import { ApiTokenRevokeButton } from "./api-token-revoke-button";
import { ScopeList } from "./api-token-scopes";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** API tokens for CI, metric senders and security signals (admins only: the page shows it to them). */
export function ApiTokensSettings({ tokens }: { tokens: ApiTokenItem[] }) {
  return (
    <section aria-labelledby="api-tokens-title" className="space-y-4">
      <h2 id="api-tokens-title" className="text-lg font-semibold text-slate-900">
        API tokens
      </h2>
      <Card title="Tokens" level={3} id="api-token-list">
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-700">No API tokens yet.</p>
        ) : (
          <div className="overflow-x-auto" role="region" aria-label="API tokens" tabIndex={0}>
            <table className="min-w-full">
              <thead>
                <tr className="border-b border-slate-200">
                  <th scope="col" className={th}>Name</th>
                  <th scope="col" className={th}>Scopes</th>
                  <th scope="col" className={th}>Created</th>
                  <th scope="col" className={th}>Last used</th>
                  <th scope="col" className={th}>Status</th>
                  <th scope="col" className={th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                      {t.name}
                    </th>
                    <td className={td}>
                      <ScopeList scopes={t.scopes} />
                      <p className="mt-1 text-xs text-slate-700">
                        {t.role ? `Acts as ${t.role.replace("_", " ")}` : "No identity (made before roles): metrics and signals only"}
                        {t.services.length ? `; only ${t.services.join(", ")}` : ""}
                        {t.environments.length ? `; only ${t.environments.join(", ")}` : ""}
                      </p>
                    </td>
                    <td className={`${td} whitespace-nowrap`}>
                      <LocalTime value={t.createdAt} withSeconds={false} />
                    </td>
                    <td className={`${td} whitespace-nowrap`}>{t.lastUsedAt ? <LocalTime value={t.lastUsedAt} withSeconds={false} /> : "Never"}</td>
                    <td className={`${td} whitespace-nowrap`}>
                      {t.revokedAt ? (
                        <span className="inline-flex flex-col gap-1">
                          <Badge tone="muted">Revoked</Badge>
                          <LocalTime value={t.revokedAt} withSeconds={false} />
                        </span>
                      ) : (
                        <Badge tone="success">Active</Badge>
                      )}
                    </td>
                    <td className={td}>{t.revokedAt ? null : <ApiTokenRevokeButton id={t.id} name={t.name} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ApiTokenCreateForm />
    </section>
  );
}
