import type { QueryClient } from "@tanstack/react-query";

/** Queries with a first read waiting to be repeated, per client: events arriving meanwhile ask once. */
const waiting = new WeakMap<QueryClient, Set<string>>();

/**
 * Refetches a query so that the answer is read after this moment. React Query's invalidation
 * joins a first fetch already in flight instead of restarting it, and that fetch may have read
 * the run before the event that brought us here: so with no data yet, let the first read finish,
 * then read once more. It must not cancel the first read: a new run's agents send events faster
 * than a loaded server answers, and cancelling on each left the page on "Loading run…".
 */
export function refetchFresh(qc: QueryClient, queryKey: readonly unknown[]): void {
  if (qc.getQueryData(queryKey) !== undefined) {
    void qc.invalidateQueries({ queryKey });
    return;
  }
  const id = JSON.stringify(queryKey);
  const keys = waiting.get(qc) ?? new Set<string>();
  waiting.set(qc, keys);
  if (keys.has(id)) return;
  keys.add(id);
  const again = async () => {
    try {
      await qc.invalidateQueries({ queryKey }); // joins the first read in flight (or starts one)
      await qc.invalidateQueries({ queryKey }); // then one read that began after the event
    } finally {
      keys.delete(id);
    }
  };
  void again();
}
