import type { QueryClient } from "@tanstack/react-query";

/**
 * Refetches a query so that the answer is read after this moment. React Query's invalidation
 * joins a first fetch already in flight instead of restarting it (it only cancels fetches of
 * queries that have data), and that fetch may have read the run before the event that brought
 * us here: so with no data yet, cancel the in-flight fetch first.
 */
export function refetchFresh(qc: QueryClient, queryKey: readonly unknown[]): void {
  const fresh = async () => {
    if (qc.getQueryData(queryKey) === undefined) await qc.cancelQueries({ queryKey });
    await qc.invalidateQueries({ queryKey });
  };
  void fresh();
}
