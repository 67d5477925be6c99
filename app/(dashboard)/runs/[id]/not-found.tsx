import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

export default function RunNotFound() {
  return (
    <div className="mx-auto max-w-lg space-y-4 py-10">
      <h1 className="text-2xl font-semibold text-slate-900">Run not found</h1>
      <p className="text-slate-700">There is no run at this address. Check the link, or find the run in the list.</p>
      <Link href="/runs" className={buttonClasses("primary")}>
        Back to runs
      </Link>
    </div>
  );
}
