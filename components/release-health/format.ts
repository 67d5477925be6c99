/** Wording shared by the release-health figures, charts and tables. All dates are shown in UTC, as computed. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "45 min", "5.5 h", "3.2 days": a duration readable at a glance. */
export function span(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 90 * 60_000) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (ms < 2 * DAY) return `${Number((ms / HOUR).toPrecision(2))} h`;
  return `${Number((ms / DAY).toPrecision(2))} days`;
}

/** "29%" (one decimal below 10%). */
export function pct(rate: number | null): string {
  if (rate === null) return "—";
  const p = rate * 100;
  return `${p > 0 && p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** "2.3" — rates per day or week. */
export function perUnit(n: number): string {
  return n >= 10 ? String(Math.round(n)) : n.toFixed(1).replace(/\.0$/, "");
}

/** "2 Nov" — a week's first day, in UTC. */
export function weekLabel(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** "2 Nov 2026, 16:20 UTC" — an instant, in UTC (the figures are computed in UTC). */
export function utcInstant(iso: string): string {
  const d = new Date(iso);
  const date = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const time = d.toISOString().slice(11, 16);
  return time === "00:00" ? date : `${date}, ${time}`;
}

/** "1 run", "3 runs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
