import type { Metadata } from "next";
import { db } from "@/server/db/client";
import { listUsers } from "@/server/services/users";
import { SettingsView } from "@/components/settings/settings-view";

export const metadata: Metadata = { title: "Settings" };

// There is no users API for React Query yet: the list comes with the page and a role change
// refreshes the route (see report: GET /api/users would let it live in the query cache).
export default async function SettingsPage() {
  const users = await listUsers(db());
  return <SettingsView users={users} />;
}
