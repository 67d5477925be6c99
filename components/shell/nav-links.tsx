"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ComponentProps } from "react";

export type NavItem = { href: string; label: string };

function isActive(pathname: string, href: string): boolean {
  if (href === "/runs") return pathname === "/runs" || (pathname.startsWith("/runs/") && pathname !== "/runs/new");
  return pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * A link that prefetches its page once the reader shows intent (pointer over it, focus, touch),
 * not as soon as it is on screen: every page has the navigation, and five prefetches, each a
 * server render, as the page loaded competed with the page's own requests (a run's metric
 * history waited 800 ms behind them) and with its main thread. Next's hover-prefetch pattern.
 */
function IntentLink(props: ComponentProps<typeof Link>) {
  const [intent, setIntent] = useState(false);
  const show = () => setIntent(true);
  return <Link {...props} prefetch={intent ? null : false} onMouseEnter={show} onFocus={show} onTouchStart={show} />;
}

/** Main navigation; the current page is marked with aria-current, not colour alone. */
export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <li key={item.href}>
            <IntentLink
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 ${
                active ? "bg-slate-900 text-white" : "text-slate-800 hover:bg-slate-200"
              }`}
            >
              {item.label}
            </IntentLink>
          </li>
        );
      })}
    </ul>
  );
}
