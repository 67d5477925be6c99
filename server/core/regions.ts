// Region-by-region rollouts (issue 15), the pure part: each region's allowed windows in its own
// local time, the order of waves, and what a failing region does to the others. Local time comes
// from Intl (the IANA database that ships with Node), so daylight-saving changes need no library:
// "no Friday-evening releases in Sydney" is judged on Sydney's clock, whatever the time in Dublin.

/** ISO weekday: 1 = Monday … 7 = Sunday. */
import { localClock, localToUtc, parseHhMm, type IsoDay } from "./local-time.ts";
export type { IsoDay } from "./local-time.ts";
export { isValidTimeZone, localClock, localToUtc, parseHhMm } from "./local-time.ts";

/** A span of local time on some weekdays in which a region may start its release; `from` < `to`, no overnight spans. */
export type RegionWindow = { days: number[]; from: string; to: string };

/** What a region is, as the wave plan needs it. */
export type RegionSpec = { name: string; wave: number; timeZone: string; windows: RegionWindow[]; /** router kind (manual: an operator confirms) */ router?: string };

/** Whether regions already released are rolled back when a later region fails. */
export type RegionPolicy = { rollbackReleasedRegions: boolean };
export const DEFAULT_REGION_POLICY: RegionPolicy = { rollbackReleasedRegions: false };

/**
 * A region's place in a run: pending (not started), active (its steps are running), released
 * (all its steps passed, it stays at 100%), failed (its analysis or an operator rolled it back),
 * rolledBack (released, then rolled back because a later region failed), skipped (never started
 * because an earlier region failed).
 */
export type RegionState = "pending" | "active" | "released" | "failed" | "rolledBack" | "skipped";

export type RegionPlanEntry = RegionSpec & {
  state: RegionState;
  startedAt: number | null;
  endedAt: number | null;
  /** why it ended (failed, rolled back or skipped), in words */
  reason: string | null;
};

/** Stored on ReleaseRun.regionPlan: the regions in wave order with each one's state, and the policy. */
export type RegionPlan = { regions: RegionPlanEntry[]; policy: RegionPolicy };


// ---------------------------------------------------------------- windows

function normalise(windows: RegionWindow | RegionWindow[] | null | undefined): RegionWindow[] {
  if (!windows) return [];
  return Array.isArray(windows) ? windows : [windows];
}

/**
 * Whether a region may start now: no windows means any time; otherwise `nowMs` must fall, on the
 * region's own clock, on one of a window's weekdays between its `from` (inclusive) and `to` (exclusive).
 */
export function windowOpen(windows: RegionWindow | RegionWindow[] | null | undefined, timeZone: string, nowMs: number): boolean {
  const list = normalise(windows);
  if (list.length === 0) return true;
  const c = localClock(timeZone, nowMs);
  return list.some((w) => {
    const from = parseHhMm(w.from);
    const to = parseHhMm(w.to);
    return from !== null && to !== null && w.days.includes(c.isoDay) && c.minutes >= from && c.minutes < to;
  });
}

/**
 * When the region may next start: `nowMs` when a window is open (or there are none), otherwise
 * the next opening within the coming eight days, or null when no window ever opens.
 */
export function nextOpening(windows: RegionWindow | RegionWindow[] | null | undefined, timeZone: string, nowMs: number): number | null {
  const list = normalise(windows);
  if (windowOpen(list, timeZone, nowMs)) return nowMs;
  const today = localClock(timeZone, nowMs);
  let best: number | null = null;
  for (let offset = 0; offset <= 8; offset++) {
    // Calendar arithmetic on the local date (noon avoids any DST edge when stepping days).
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset, 12));
    const isoDay = (((date.getUTCDay() + 6) % 7) + 1) as IsoDay;
    for (const w of list) {
      const from = parseHhMm(w.from);
      if (from === null || !w.days.includes(isoDay)) continue;
      const at = localToUtc(timeZone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), from);
      if (at > nowMs && (best === null || at < best)) best = at;
    }
    if (best !== null) return best;
  }
  return best;
}

/** A moment on the region's own clock, e.g. "Mon 7 Dec, 09:00 GMT+11 (Australia/Sydney)". */
export function formatLocal(ms: number, timeZone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(new Date(ms));
  return `${text} (${timeZone})`;
}

const DAY_NAMES = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/** A window in words, e.g. "Mon–Fri 09:00–17:00". */
export function describeWindow(w: RegionWindow): string {
  const days = [...w.days].sort((a, b) => a - b);
  const first = days[0] ?? 0;
  const last = days[days.length - 1] ?? 0;
  const contiguous = days.length > 2 && last - first === days.length - 1 && new Set(days).size === days.length;
  const dayText = contiguous ? `${DAY_NAMES[first]}–${DAY_NAMES[last]}` : days.map((d) => DAY_NAMES[d]).join(", ");
  return `${dayText} ${w.from}–${w.to}`;
}

/**
 * Problems with one region's windows, keyed by the field they belong to (`windows.0.to`, …):
 * days outside 1–7 or none, a time that is not HH:MM, `from` not before `to`, and two windows
 * of the region that share a day and overlap.
 */
export function windowProblems(windows: RegionWindow[]): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  const say = (key: string, message: string) => (problems[key] ??= []).push(message);
  windows.forEach((w, i) => {
    if (w.days.length === 0) say(`windows.${i}.days`, "Pick at least one day");
    if (w.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) say(`windows.${i}.days`, "Days are 1 (Monday) to 7 (Sunday)");
    if (new Set(w.days).size !== w.days.length) say(`windows.${i}.days`, "A day is listed twice");
    const from = parseHhMm(w.from);
    const to = parseHhMm(w.to);
    if (from === null) say(`windows.${i}.from`, "Enter a time as HH:MM, e.g. 09:00");
    if (to === null) say(`windows.${i}.to`, "Enter a time as HH:MM, e.g. 17:00");
    if (from !== null && to !== null && from >= to) say(`windows.${i}.to`, "The window must end after it starts (same day; no overnight windows)");
  });
  windows.forEach((a, i) => {
    windows.forEach((b, j) => {
      if (j <= i) return;
      const [af, at, bf, bt] = [parseHhMm(a.from), parseHhMm(a.to), parseHhMm(b.from), parseHhMm(b.to)];
      if (af === null || at === null || bf === null || bt === null) return;
      if (a.days.some((d) => b.days.includes(d)) && af < bt && bf < at) say(`windows.${j}.from`, `Overlaps window ${i + 1} (${describeWindow(a)})`);
    });
  });
  return problems;
}

// ---------------------------------------------------------------- the wave plan

/** The regions in the order they are released: by wave, then by name within a wave. */
export function wavePlan(regions: RegionSpec[], policy: RegionPolicy = DEFAULT_REGION_POLICY): RegionPlan {
  const ordered = [...regions].sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
  return {
    regions: ordered.map((r) => ({ name: r.name, wave: r.wave, timeZone: r.timeZone, windows: r.windows, ...(r.router ? { router: r.router } : {}), state: "pending", startedAt: null, endedAt: null, reason: null })),
    policy,
  };
}

/** What the run does next about its regions. */
export type RegionNext =
  /** the region is running its steps */
  | { kind: "active"; region: RegionPlanEntry }
  /** the previous regions are released and this one's window is open: start it */
  | { kind: "start"; region: RegionPlanEntry }
  /** the previous regions are released but this one's window is closed: wait until `until` (null: never opens) */
  | { kind: "wait"; region: RegionPlanEntry; until: number | null; message: string }
  /** every region is released */
  | { kind: "done" }
  /** a region failed; the waves have stopped */
  | { kind: "stopped"; failed: RegionPlanEntry };

export function regionNext(plan: RegionPlan, nowMs: number): RegionNext {
  const failed = plan.regions.find((r) => r.state === "failed");
  if (failed) return { kind: "stopped", failed };
  const region = plan.regions.find((r) => r.state !== "released");
  if (!region) return { kind: "done" };
  if (region.state === "active") return { kind: "active", region };
  if (region.state !== "pending") return { kind: "stopped", failed: region };
  if (windowOpen(region.windows, region.timeZone, nowMs)) return { kind: "start", region };
  const until = nextOpening(region.windows, region.timeZone, nowMs);
  const message =
    until === null
      ? `${region.name} has no window that opens; change its window in Settings`
      : `Waiting for ${region.name}'s window (${region.windows.map(describeWindow).join(", ")} local time): opens ${formatLocal(until, region.timeZone)}`;
  return { kind: "wait", region, until, message };
}

function withState(plan: RegionPlan, name: string, patch: Partial<RegionPlanEntry>): RegionPlan {
  return { ...plan, regions: plan.regions.map((r) => (r.name === name ? { ...r, ...patch } : r)) };
}

export function startRegion(plan: RegionPlan, name: string, nowMs: number): RegionPlan {
  return withState(plan, name, { state: "active", startedAt: nowMs });
}

export function releaseRegion(plan: RegionPlan, name: string, nowMs: number): RegionPlan {
  return withState(plan, name, { state: "released", endedAt: nowMs });
}

/**
 * A region failed: it is rolled back (its router to 0%), the regions after it are skipped, and,
 * when the policy says so, the regions already released are rolled back too — latest wave first,
 * so traffic leaves the newest release before the oldest. Returns the new plan and the regions
 * whose routers go back to 0%, in that order.
 */
export function failRegion(plan: RegionPlan, name: string, reason: string, nowMs: number): { plan: RegionPlan; rollBack: string[] } {
  const index = plan.regions.findIndex((r) => r.name === name);
  if (index < 0) return { plan, rollBack: [] };
  const rollBack = [name];
  const regions = plan.regions.map((r, i): RegionPlanEntry => {
    if (i === index) return { ...r, state: "failed", endedAt: nowMs, reason };
    if (i > index && (r.state === "pending" || r.state === "active")) return { ...r, state: "skipped", endedAt: nowMs, reason: `not started: ${name} failed` };
    if (i < index && r.state === "released" && plan.policy.rollbackReleasedRegions) return { ...r, state: "rolledBack", endedAt: nowMs, reason: `rolled back because ${name} failed` };
    return r;
  });
  for (let i = index - 1; i >= 0; i--) {
    const before = plan.regions[i];
    const after = regions[i];
    if (before?.state === "released" && after?.state === "rolledBack") rollBack.push(after.name);
  }
  return { plan: { ...plan, regions }, rollBack };
}

/** The canary weight each region's router should hold: 100 once released, the step's weight while active, else 0. */
export function regionWeights(plan: RegionPlan, activeWeight: number): Record<string, number> {
  return Object.fromEntries(plan.regions.map((r) => [r.name, r.state === "released" ? 100 : r.state === "active" ? activeWeight : 0]));
}
