"use client";
import { useRouter } from "next/navigation";
import { startTransition, useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DatabaseDown } from "./database-down";

const DB_HINT = /database|unreachable|ECONNREFUSED|P1001|postgres/i;

/**
 * The dashboard's error boundary. In production Next.js hides server error messages, so we
 * also ask /api/health whether the database is the cause before choosing what to say.
 */
export function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [databaseDown, setDatabaseDown] = useState(() => DB_HINT.test(error.message));
  // A server component failed: re-fetch it from the server, then re-render the boundary.
  const retry = useCallback(() => {
    startTransition(() => {
      router.refresh();
      reset();
    });
  }, [router, reset]);

  useEffect(() => {
    let cancelled = false;
    fetch("/api/health", { cache: "no-store" })
      .then((res) => res.json() as Promise<{ database?: string }>)
      .then((body) => {
        if (!cancelled && body.database === "down") setDatabaseDown(true);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [error]);

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">{databaseDown ? "Waiting for the database" : "Something went wrong"}</h1>
      {databaseDown ? (
        <DatabaseDown onRetry={retry} />
      ) : (
        <Alert tone="error" title="This page could not be shown." action={<Button variant="secondary" size="sm" onClick={retry}>Try again</Button>}>
          The error was logged on the server{error.digest ? ` (reference ${error.digest})` : ""}. Your runs are unaffected.
        </Alert>
      )}
    </div>
  );
}
