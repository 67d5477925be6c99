import Link from "next/link";
import { can } from "@/server/core/permissions";
import type { ViewerUser } from "@/components/auth/session-context";
import { humanize } from "@/components/runs/labels";
import { NavLinks, type NavItem } from "./nav-links";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

/** The dashboard's header: product, navigation, who is signed in. Wraps on a phone. */
export function AppHeader({ user }: { user: ViewerUser }) {
  const items: NavItem[] = [
    { href: "/runs", label: "Runs" },
    ...(can(user.role, "run.create") ? [{ href: "/runs/new", label: "New run" }] : []),
    { href: "/release-health", label: "Release health" },
    { href: "/audit", label: "Audit" },
    { href: "/settings", label: "Settings" },
  ];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/runs" prefetch={false} className="rounded-md text-lg font-bold tracking-tight text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          <span aria-hidden="true">✈ </span>Flightdeck
        </Link>
        <nav aria-label="Main" className="order-3 w-full sm:order-none sm:w-auto">
          <NavLinks items={items} />
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <ThemeToggle />
          <p className="text-right leading-tight">
            <span className="block font-medium text-slate-900">{user.name}</span>
            <span className="block text-xs text-slate-700">{humanize(user.role)}</span>
          </p>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
