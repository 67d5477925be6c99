import type { Side } from "../../../metrics/types.ts";

/** Cookie that pins a browser to the side that first served it. */
export const SIDE_COOKIE = "fd_side";
/** Request header that pins a non-browser client; also set on every response to name the side. The pin is read in headers.ts (`forwardRequest`). */
export const SIDE_HEADER = "x-flightdeck-side";

/**
 * Which side serves a request. At 0 % and 100 % there is no choice to be sticky about: a
 * rollback must move every client to the baseline at once, and a promotion every client to the
 * canary, whatever their cookie says. In between, a client keeps the side it was given, and a
 * new client is drawn at the current weight.
 */
export function chooseSide(percent: number, sticky: Side | null, random: () => number): Side {
  if (percent <= 0) return "baseline";
  if (percent >= 100) return "canary";
  if (sticky) return sticky;
  return random() * 100 < percent ? "canary" : "baseline";
}

/**
 * The Set-Cookie value for a response. At 0 % and 100 % the pin is cleared: otherwise the
 * assignments of a finished or rolled-back rollout would carry over into the next one, and its
 * 5 % step would start with the last run's 50 % of clients already on the canary.
 */
export function sideCookie(side: Side, percent: number): string {
  if (percent <= 0 || percent >= 100) return CLEAR_COOKIE;
  return PIN_COOKIE[side];
}

// Three possible values, built once rather than per response (the router's hot path).
const CLEAR_COOKIE = `${SIDE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
const PIN_COOKIE: Record<Side, string> = {
  baseline: `${SIDE_COOKIE}=baseline; Path=/; HttpOnly; SameSite=Lax`,
  canary: `${SIDE_COOKIE}=canary; Path=/; HttpOnly; SameSite=Lax`,
};
