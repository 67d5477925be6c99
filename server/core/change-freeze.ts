/**
 * Change freezes: windows in which nothing is released into an environment (the end of a
 * quarter, a sales peak) unless an admin overrides with a reason. Pure: the windows come in, the
 * rules go out; services/change-freezes.ts stores them and runs.ts asks before creating a run.
 */

export type FreezeWindow = { id: string; reason: string; startsAt: number; endsAt: number };

/** Longest window one freeze may span, and how far ahead one may be scheduled. */
export const MAX_FREEZE_DAYS = 90;
export const MAX_SCHEDULE_AHEAD_DAYS = 366;
const DAY_MS = 86_400_000;

/** The freeze in effect at `now` (the one ending last, when windows touch), or null. */
export function activeFreeze(windows: readonly FreezeWindow[], now: number): FreezeWindow | null {
  let found: FreezeWindow | null = null;
  for (const w of windows) if (w.startsAt <= now && now < w.endsAt && (!found || w.endsAt > found.endsAt)) found = w;
  return found;
}

/** The freeze in effect, or else the next one to start within `withinMs` (for warnings on New run). */
export function currentOrNextFreeze(windows: readonly FreezeWindow[], now: number, withinMs = 7 * DAY_MS): FreezeWindow | null {
  const active = activeFreeze(windows, now);
  if (active) return active;
  let next: FreezeWindow | null = null;
  for (const w of windows) if (w.startsAt > now && w.startsAt - now <= withinMs && (!next || w.startsAt < next.startsAt)) next = w;
  return next;
}

/**
 * Why a new window cannot be scheduled, per field, or null when it can: it ends after it starts,
 * has not ended already, spans at most 90 days, starts within a year, and does not overlap another
 * window of the same environment (two overlapping freezes would leave one's end meaningless).
 */
export function freezeWindowProblems(window: { startsAt: number; endsAt: number }, existing: readonly FreezeWindow[], now: number): Record<string, string[]> | null {
  const problems: Record<string, string[]> = {};
  const add = (field: string, message: string) => (problems[field] ??= []).push(message);
  if (window.endsAt <= window.startsAt) add("endsAt", "Must be after the start");
  else if (window.endsAt - window.startsAt > MAX_FREEZE_DAYS * DAY_MS) add("endsAt", `A freeze spans at most ${MAX_FREEZE_DAYS} days`);
  if (window.endsAt <= now) add("endsAt", "Must be in the future");
  if (window.startsAt - now > MAX_SCHEDULE_AHEAD_DAYS * DAY_MS) add("startsAt", "Schedule at most a year ahead");
  const overlapping = existing.find((w) => w.startsAt < window.endsAt && window.startsAt < w.endsAt);
  if (overlapping) add("startsAt", `Overlaps the freeze “${overlapping.reason}” (${utcMinute(overlapping.startsAt)} to ${utcMinute(overlapping.endsAt)} UTC); change that one instead`);
  return Object.keys(problems).length > 0 ? problems : null;
}

/** A moment as freezes, overrides and links say it: "2027-01-02 12:00" (UTC, to the minute). */
export const utcMinute = (at: number | string | Date) => new Date(at).toISOString().slice(0, 16).replace("T", " ");

/** The sentence a refused run creation says. */
export function frozenMessage(environment: string, service: string, freeze: FreezeWindow): string {
  return `${capitalize(environment)} of ${service} is frozen until ${utcMinute(freeze.endsAt)} UTC: “${freeze.reason}”. An admin can override the freeze with a reason.`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
