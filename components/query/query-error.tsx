"use client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "./fetch-json";

/**
 * A failed query, shown inline with a retry. Callers keep rendering the last data below it,
 * so a blip never blanks the control room.
 */
export function QueryError({ error, onRetry, stale }: { error: unknown; onRetry: () => void; stale?: boolean }) {
  return (
    <Alert
      tone="error"
      title={stale ? "Could not refresh — showing the last data we had." : "Could not load this."}
      action={
        <Button variant="secondary" size="sm" onClick={onRetry}>
          Retry
        </Button>
      }
    >
      {errorMessage(error)}
    </Alert>
  );
}
