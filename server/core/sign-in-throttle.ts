/**
 * Sign-in throttling as a rule: a few free failures, then a wait that doubles with every further
 * failure, counted per account (someone guessing one person's password) and per client address
 * (someone trying many accounts). Pure: the caller brings the failures and the clock.
 */

/** How many failures are free and how long the wait may grow, for one kind of key. */
export type ThrottleLimit = {
  /** failures within the window before any wait */
  free: number;
  /** failures older than this are forgotten */
  windowMs: number;
  /** the first wait after the free failures; doubles with each further failure */
  firstDelayMs: number;
  /** the wait never grows beyond this */
  maxDelayMs: number;
};

export const SIGN_IN_LIMITS = {
  /** one person's account: 5 tries, then 2 s, 4 s, 8 s … up to 15 min */
  account: { free: 5, windowMs: 15 * 60_000, firstDelayMs: 2_000, maxDelayMs: 15 * 60_000 },
  /** one client address (an office behind one NAT tries many accounts honestly): 20 tries, then the same growth */
  address: { free: 20, windowMs: 15 * 60_000, firstDelayMs: 2_000, maxDelayMs: 15 * 60_000 },
} as const satisfies Record<string, ThrottleLimit>;

/**
 * Milliseconds to wait before the next attempt may be tried; 0 = now. `failures` are the epoch
 * ms of failed attempts (for an account: since its last success), in any order.
 */
export function waitBeforeNext(failures: readonly number[], limit: ThrottleLimit, now: number): number {
  const recent = failures.filter((at) => at > now - limit.windowMs);
  if (recent.length < limit.free) return 0;
  const extra = recent.length - limit.free;
  const delay = Math.min(limit.maxDelayMs, limit.firstDelayMs * 2 ** Math.min(extra, 30));
  const last = Math.max(...recent);
  return Math.max(0, last + delay - now);
}

/** A wait in words: "12 s", "2 min". */
export function waitInWords(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}
