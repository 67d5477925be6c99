import type { Metadata } from "next";
import { headers } from "next/headers";
import { userFromHeaders } from "@/server/auth/session";
import { can } from "@/server/core/permissions";
import { db } from "@/server/db/client";
import { listApiTokens } from "@/server/services/api-tokens";
import { listShareLinks } from "@/server/services/share-links";
import { listFreezes } from "@/server/services/change-freezes";
import { listUsers } from "@/server/services/users";
import { SettingsView } from "@/components/settings/settings-view";

export const metadata: Metadata = { title: "Settings" };

// Users and API tokens come with the page (admins' data, changed rarely); a change refreshes
// the route.
export default async function SettingsPage() {
  const user = await userFromHeaders(await headers());
  const admin = user !== null && can(user.role, "settings.manage");
  const shares = user !== null && can(user.role, "run.create");
  const [users, apiTokens, shareLinks, freezes] = await Promise.all([
    listUsers(db()),
    admin ? listApiTokens(db()) : Promise.resolve(undefined),
    shares ? listShareLinks(db()) : Promise.resolve(undefined),
    admin ? listFreezes(db()) : Promise.resolve(undefined),
  ]);
  return <SettingsView users={users} apiTokens={apiTokens} shareLinks={shareLinks} freezes={freezes} />;
}
