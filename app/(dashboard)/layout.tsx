import type { ReactNode } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userFromHeaders, type SessionUser } from "@/server/auth/session";
import { isDatabaseDown } from "@/server/errors";
import { SessionProvider } from "@/components/auth/session-context";
import { AppHeader } from "@/components/shell/app-header";
import { DatabaseDown } from "@/components/shell/database-down";

export const dynamic = "force-dynamic";

/** Every page but sign-in: needs a session, renders the shell. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  let user: SessionUser | null;
  try {
    user = await userFromHeaders(await headers());
  } catch (e) {
    if (!isDatabaseDown(e)) throw e;
    return (
      <main className="mx-auto max-w-3xl px-4 py-10">
        <h1 className="mb-4 text-2xl font-semibold">Flightdeck</h1>
        <DatabaseDown />
      </main>
    );
  }
  if (!user) redirect("/sign-in");
  const viewer = { id: user.id, name: user.name, email: user.email, role: user.role };
  return (
    <SessionProvider user={viewer}>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">
        Skip to content
      </a>
      <AppHeader user={viewer} />
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </SessionProvider>
  );
}
