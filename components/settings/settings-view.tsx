"use client";
import dynamic from "next/dynamic";
import { useSessionUser, useCan } from "@/components/auth/session-context";
import { QueryError } from "@/components/query/query-error";
import { useServices } from "@/components/runs/run-queries";
import { Alert } from "@/components/ui/alert";
import { SkeletonRows } from "@/components/ui/skeleton";
import type { ApiTokenItem } from "@/server/services/api-tokens";
import type { ShareLinkItem } from "@/server/services/share-links";
import { ApiTokensSettings } from "./api-tokens-settings";
import { AuditChainPanel } from "./audit-chain-panel";
import { ShareLinksSettings } from "./share-links-settings";
import type { FreezeItem } from "@/server/services/change-freezes";
import { ChangeFreezesSettings } from "./change-freezes-settings";
import { ServiceCreateForm } from "./service-create-form";
import { UserCreateForm } from "./user-create-form";
import { UsersSettings, type UserRow } from "./users-settings";

// Each service's forms (router, hooks, checks, gate and analysis policy, metric source, regions…)
// are most of this page's JavaScript; the services list is fetched after the page loads anyway,
// so the forms load with it instead of with the page (the 200 KB first-load budget of issue 11).
const ServiceSettings = dynamic(() => import("./services-settings").then((m) => m.ServiceSettings), {
  ssr: false,
  loading: () => <SkeletonRows rows={3} label="Loading service settings…" />,
});
// Feature flags (issue 15): admins only, loaded with the services list like the forms above.
const FlagsSettings = dynamic(() => import("@/components/flags/flags-settings").then((m) => m.FlagsSettings), {
  ssr: false,
  loading: () => <SkeletonRows rows={2} label="Loading feature flags…" />,
});

/** Services, environments and people (and, for admins, API tokens). Admins edit; everyone else reads. */
export function SettingsView({ users, apiTokens, shareLinks, freezes }: { users: UserRow[]; apiTokens?: ApiTokenItem[]; shareLinks?: ShareLinkItem[]; freezes?: FreezeItem[] }) {
  const me = useSessionUser();
  const canManageSettings = useCan("settings.manage");
  const canManageUsers = useCan("users.manage");
  const services = useServices();
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold text-slate-900">Settings</h1>
      {/* A long page: a table of contents so people can jump to a section (and back with the browser). */}
      <nav aria-label="Settings sections">
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {[
            { href: "#services-title", label: "Services", shown: true },
            { href: "#flags-title", label: "Feature flags", shown: canManageSettings },
            { href: "#users-title", label: "Users", shown: true },
            { href: "#freezes-title", label: "Change freezes", shown: canManageSettings && Boolean(freezes) },
            { href: "#share-links-title", label: "Share links", shown: Boolean(shareLinks) },
            { href: "#api-tokens-title", label: "API tokens", shown: canManageSettings && Boolean(apiTokens) },
          ]
            .filter((l) => l.shown)
            .map((l) => (
              <li key={l.href}>
                <a href={l.href} className="text-blue-800 underline underline-offset-2">
                  {l.label}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      {!canManageSettings ? <Alert tone="info">Only admins change settings. You can see everything here.</Alert> : null}
      <section aria-labelledby="services-title" className="space-y-4">
        <h2 id="services-title" className="text-lg font-semibold text-slate-900">
          Services
        </h2>
        {services.isError ? <QueryError error={services.error} onRetry={() => void services.refetch()} stale={services.data !== undefined} /> : null}
        {services.isPending ? (
          <SkeletonRows rows={3} label="Loading services…" />
        ) : services.data?.length === 0 ? (
          <p className="text-sm text-slate-700">No services yet.</p>
        ) : (
          services.data?.map((s) => <ServiceSettings key={s.id} service={s} canManage={canManageSettings} />)
        )}
        {canManageSettings ? <ServiceCreateForm /> : null}
      </section>
      {canManageSettings && services.data ? <FlagsSettings services={services.data} /> : null}
      <section aria-labelledby="users-title" className="space-y-4">
        <h2 id="users-title" className="text-lg font-semibold text-slate-900">
          Users
        </h2>
        {/* Adding someone is the common task: first in the section, not below a long list. */}
        {canManageUsers ? <UserCreateForm /> : null}
        <UsersSettings users={users} canManage={canManageUsers} currentUserId={me.id} />
      </section>
      {canManageSettings && freezes ? <ChangeFreezesSettings freezes={freezes} services={services.data ?? []} /> : null}
      {shareLinks ? <ShareLinksSettings links={shareLinks} services={services.data ?? []} /> : null}
      {canManageSettings && apiTokens ? <ApiTokensSettings tokens={apiTokens} /> : null}
      {canManageSettings ? <AuditChainPanel /> : null}
    </div>
  );
}
