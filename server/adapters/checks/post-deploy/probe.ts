import type { SubCheckContext } from "../check-io.ts";

/** What every post-deploy sub-check is given: the run's abort signal, its log, and a clock (epoch ms, fixed in tests for certificate expiry). */
export type ProbeIo = Pick<SubCheckContext, "signal" | "log" | "now">;

/** Rejects with the signal's reason once it aborts; resolves the promise's outcome otherwise. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("post-deploy checks cancelled");
}
