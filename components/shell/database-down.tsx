"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Alert } from "@/components/ui/alert";

/** Shown while PostgreSQL is unreachable; re-renders the page every 3 s until it is back. */
export function DatabaseDown({ onRetry }: { onRetry?: () => void }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => (onRetry ? onRetry() : router.refresh()), 3_000);
    return () => clearInterval(timer);
  }, [onRetry, router]);
  return (
    <Alert tone="warning" title="The database is unreachable. Retrying…">
      Flightdeck keeps runs and their deadlines in PostgreSQL. Nothing is lost; this page recovers on its own when the database answers again.
    </Alert>
  );
}
