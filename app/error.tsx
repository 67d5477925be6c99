"use client";
import { DashboardError } from "@/components/shell/dashboard-error";

/** Errors of the dashboard layout itself (the session lookup) land here, outside the shell. */
export default function RootError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <DashboardError error={error} reset={reset} />
    </main>
  );
}
