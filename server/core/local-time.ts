/**
 * Local time in an IANA time zone, via Intl only (no library): what a region's window is read in.
 */

/** ISO weekday: Monday 1 … Sunday 7. */
export type IsoDay = 1 | 2 | 3 | 4 | 5 | 6 | 7;


/** True when Intl knows the IANA zone (e.g. "Europe/Dublin"); offsets like "+01:00" are refused. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, IsoDay> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall clock in `timeZone` at `ms`: calendar date, ISO weekday and minutes since local midnight. */
export function localClock(timeZone: string, ms: number): { year: number; month: number; day: number; isoDay: IsoDay; minutes: number } {
  const parts: Record<string, string> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    isoDay: WEEKDAYS[parts.weekday ?? ""] ?? 1,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** "HH:MM" → minutes since midnight, or null when it is not a time of day. */
export function parseHhMm(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function offsetMinutes(timeZone: string, ms: number): number {
  const c = localClock(timeZone, ms);
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, Math.floor(c.minutes / 60), c.minutes % 60);
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The first instant at which the local clock in `timeZone` reads `minutes` or later on the given
 * local date. Usually that exact wall time; in a spring-forward gap (02:30 does not exist) it is
 * the moment the clocks jump; in a fall-back overlap it is the first of the two.
 */
export function localToUtc(timeZone: string, year: number, month: number, day: number, minutes: number): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  // The offset on either side of any transition is one of these two; try the earlier instant first.
  const candidates = [...new Set([offsetMinutes(timeZone, wall - 86_400_000), offsetMinutes(timeZone, wall + 86_400_000), offsetMinutes(timeZone, wall)])]
    .map((off) => wall - off * 60_000)
    .sort((a, b) => a - b);
  for (const u of candidates) {
    const c = localClock(timeZone, u);
    if (c.year === year && c.month === month && c.day === day && c.minutes === minutes) return u;
  }
  // A gap: binary-search the first minute whose local time on that date is at or after `minutes`.
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const reached = (u: number) => {
    const c = localClock(timeZone, u);
    const sameOrLaterDay = Date.UTC(c.year, c.month - 1, c.day) > Date.UTC(year, month - 1, day);
    return sameOrLaterDay || (c.year === year && c.month === month && c.day === day && c.minutes >= minutes);
  };
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return reached(lo) ? lo : hi;
}
