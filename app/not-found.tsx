import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-lg flex-col items-start justify-center gap-4 px-6">
      <p className="text-sm font-semibold text-slate-700">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="text-slate-700">There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <Link href="/runs" className={buttonClasses("primary")}>
        Go to runs
      </Link>
    </main>
  );
}
