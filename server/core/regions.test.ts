import { describe, expect, it } from "vitest";
import {
  failRegion,
  formatLocal,
  isValidTimeZone,
  localToUtc,
  nextOpening,
  regionNext,
  regionWeights,
  releaseRegion,
  startRegion,
  wavePlan,
  windowOpen,
  windowProblems,
  type RegionSpec,
  type RegionWindow,
} from "./regions.ts";

const officeHours: RegionWindow = { days: [1, 2, 3, 4, 5], from: "09:00", to: "17:00" };
const dublin: RegionSpec = { name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [officeHours] };
const sydney: RegionSpec = { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney", windows: [officeHours] };
const anyTime: RegionSpec = { name: "us-east", wave: 3, timeZone: "America/New_York", windows: [] };

describe("region windows in local time", () => {
  it("Friday morning in Dublin is Friday evening in Sydney: Dublin may start, Sydney waits for Monday 09:00 its time", () => {
    const fridayMorningDublin = Date.UTC(2026, 11, 4, 9, 30); // Fri 4 Dec 2026, 09:30 GMT = 20:30 AEDT
    expect(windowOpen(dublin.windows, dublin.timeZone, fridayMorningDublin)).toBe(true);
    expect(windowOpen(sydney.windows, sydney.timeZone, fridayMorningDublin)).toBe(false);
    const opens = nextOpening(sydney.windows, sydney.timeZone, fridayMorningDublin);
    expect(opens).toBe(Date.UTC(2026, 11, 6, 22, 0)); // Mon 7 Dec 09:00 AEDT (UTC+11)
    expect(formatLocal(opens ?? 0, sydney.timeZone)).toMatch(/Mon.*7 Dec.*09:00.*Australia\/Sydney/);
  });

  it("a window includes its start and excludes its end, and only on its days", () => {
    const friday = (h: number, m = 0) => Date.UTC(2026, 11, 4, h, m); // Dublin is on UTC in December
    expect(windowOpen([officeHours], "Europe/Dublin", friday(9))).toBe(true);
    expect(windowOpen([officeHours], "Europe/Dublin", friday(8, 59))).toBe(false);
    expect(windowOpen([officeHours], "Europe/Dublin", friday(17))).toBe(false);
    expect(windowOpen([officeHours], "Europe/Dublin", Date.UTC(2026, 11, 5, 12))).toBe(false); // Saturday
    expect(windowOpen([], "Europe/Dublin", Date.UTC(2026, 11, 5, 12))).toBe(true); // no window: any time
    expect(windowOpen(null, "Europe/Dublin", Date.UTC(2026, 11, 5, 12))).toBe(true);
  });

  it("an open window opens now; later the same day, or after the weekend", () => {
    const at = Date.UTC(2026, 11, 4, 10);
    expect(nextOpening([officeHours], "Europe/Dublin", at)).toBe(at);
    expect(nextOpening([officeHours], "Europe/Dublin", Date.UTC(2026, 11, 4, 7))).toBe(Date.UTC(2026, 11, 4, 9));
    expect(nextOpening([officeHours], "Europe/Dublin", Date.UTC(2026, 11, 4, 18))).toBe(Date.UTC(2026, 11, 7, 9));
    expect(nextOpening([{ days: [3], from: "09:00", to: "10:00" }], "Europe/Dublin", Date.UTC(2026, 11, 2, 11))).toBe(Date.UTC(2026, 11, 9, 9)); // a week on
  });

  it("daylight saving: the next 09:00 follows the local clock across the change, both ways", () => {
    const daily: RegionWindow = { days: [1, 2, 3, 4, 5, 6, 7], from: "09:00", to: "10:00" };
    // Dublin: clocks go back on Sun 25 Oct 2026 (IST UTC+1 → GMT UTC+0) and forward on Sun 29 Mar 2026.
    expect(nextOpening([daily], "Europe/Dublin", Date.UTC(2026, 9, 24, 18))).toBe(Date.UTC(2026, 9, 25, 9));
    expect(nextOpening([daily], "Europe/Dublin", Date.UTC(2026, 2, 28, 18))).toBe(Date.UTC(2026, 2, 29, 8));
    // Sydney: AEDT (UTC+11) ends on Sun 5 Apr 2026, AEST (UTC+10) from then on.
    expect(nextOpening([daily], "Australia/Sydney", Date.UTC(2026, 3, 4, 0))).toBe(Date.UTC(2026, 3, 4, 23));
    expect(windowOpen([daily], "Australia/Sydney", Date.UTC(2026, 3, 4, 23, 30))).toBe(true);
    expect(windowOpen([daily], "Australia/Sydney", Date.UTC(2026, 3, 4, 22, 30))).toBe(false);
  });

  it("a window starting in the spring-forward gap opens when the clocks jump; in the fall-back overlap, at the first of the two", () => {
    // New York, Sun 8 Mar 2026: 02:00 EST becomes 03:00 EDT at 07:00 UTC; 02:30 does not exist.
    expect(localToUtc("America/New_York", 2026, 3, 8, 150)).toBe(Date.UTC(2026, 2, 8, 7));
    const sunday: RegionWindow = { days: [7], from: "02:30", to: "04:00" };
    expect(nextOpening([sunday], "America/New_York", Date.UTC(2026, 2, 8, 5))).toBe(Date.UTC(2026, 2, 8, 7));
    // Dublin, Sun 25 Oct 2026: 01:30 happens at 00:30 UTC (IST) and again at 01:30 UTC (GMT).
    expect(localToUtc("Europe/Dublin", 2026, 10, 25, 90)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it("time zones are IANA names Intl knows", () => {
    expect(isValidTimeZone("Europe/Dublin")).toBe(true);
    expect(isValidTimeZone("Australia/Sydney")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimeZone("+01:00")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });

  it("bad windows are refused field by field: from not before to, bad times, bad days, overlaps of one region", () => {
    expect(windowProblems([officeHours])).toEqual({});
    expect(windowProblems([{ days: [1], from: "17:00", to: "09:00" }])).toEqual({ "windows.0.to": [expect.stringMatching(/end after it starts/)] });
    expect(windowProblems([{ days: [1], from: "09:00", to: "09:00" }])["windows.0.to"]).toHaveLength(1);
    expect(windowProblems([{ days: [1], from: "9am", to: "24:00" }])).toMatchObject({ "windows.0.from": [expect.any(String)], "windows.0.to": [expect.any(String)] });
    expect(windowProblems([{ days: [0, 8], from: "09:00", to: "10:00" }])["windows.0.days"]).toBeDefined();
    expect(windowProblems([{ days: [], from: "09:00", to: "10:00" }])["windows.0.days"]).toEqual(["Pick at least one day"]);
    expect(windowProblems([officeHours, { days: [5, 6], from: "16:00", to: "18:00" }])).toEqual({ "windows.1.from": ["Overlaps window 1 (Mon–Fri 09:00–17:00)"] });
    // Touching windows, or the same hours on other days, do not overlap.
    expect(windowProblems([officeHours, { days: [5], from: "17:00", to: "18:00" }, { days: [6, 7], from: "10:00", to: "12:00" }])).toEqual({});
  });
});

describe("the wave plan", () => {
  it("orders regions by wave, then name, all pending", () => {
    const plan = wavePlan([anyTime, sydney, dublin, { ...anyTime, name: "ca-central", wave: 3 }]);
    expect(plan.regions.map((r) => r.name)).toEqual(["eu-west", "ap-southeast", "ca-central", "us-east"]);
    expect(plan.regions.every((r) => r.state === "pending")).toBe(true);
    expect(plan.policy).toEqual({ rollbackReleasedRegions: false });
  });

  it("the next region starts only when the previous one is released and its own window is open", () => {
    const friday0930 = Date.UTC(2026, 11, 4, 9, 30);
    let plan = wavePlan([dublin, sydney]);
    expect(regionNext(plan, friday0930)).toMatchObject({ kind: "start", region: { name: "eu-west" } });
    plan = startRegion(plan, "eu-west", friday0930);
    expect(regionNext(plan, friday0930)).toMatchObject({ kind: "active", region: { name: "eu-west" } });
    plan = releaseRegion(plan, "eu-west", friday0930 + 3_600_000);
    const next = regionNext(plan, friday0930 + 3_600_000);
    expect(next).toMatchObject({ kind: "wait", region: { name: "ap-southeast" }, until: Date.UTC(2026, 11, 6, 22) });
    expect(next.kind === "wait" && next.message).toMatch(/Waiting for ap-southeast's window \(Mon–Fri 09:00–17:00 local time\): opens Mon.*09:00/);
    expect(regionNext(plan, Date.UTC(2026, 11, 6, 22))).toMatchObject({ kind: "start", region: { name: "ap-southeast" } });
    plan = releaseRegion(startRegion(plan, "ap-southeast", Date.UTC(2026, 11, 6, 22)), "ap-southeast", Date.UTC(2026, 11, 6, 23));
    expect(regionNext(plan, Date.UTC(2026, 11, 6, 23))).toEqual({ kind: "done" });
  });

  it("released regions hold 100%, the active one the step's weight, the others 0", () => {
    const plan = startRegion(releaseRegion(wavePlan([dublin, sydney, anyTime]), "eu-west", 1), "ap-southeast", 2);
    expect(regionWeights(plan, 5)).toEqual({ "eu-west": 100, "ap-southeast": 5, "us-east": 0 });
  });
});

describe("a failing region", () => {
  const running = () => startRegion(releaseRegion(wavePlan([dublin, sydney, anyTime]), "eu-west", 1), "ap-southeast", 2);

  it("is rolled back and stops the waves; released regions stay released by default", () => {
    const { plan, rollBack } = failRegion(running(), "ap-southeast", "error rate 9% vs 0.5%", 3);
    expect(rollBack).toEqual(["ap-southeast"]);
    expect(plan.regions.map((r) => [r.name, r.state])).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "failed"],
      ["us-east", "skipped"],
    ]);
    expect(plan.regions[1]?.reason).toBe("error rate 9% vs 0.5%");
    expect(regionNext(plan, 4)).toMatchObject({ kind: "stopped", failed: { name: "ap-southeast" } });
    expect(regionWeights(plan, 5)).toEqual({ "eu-west": 100, "ap-southeast": 0, "us-east": 0 });
  });

  it("with rollbackReleasedRegions, the released regions are rolled back too, newest wave first", () => {
    const three = { ...running(), policy: { rollbackReleasedRegions: true } };
    const { plan, rollBack } = failRegion(three, "ap-southeast", "latency", 3);
    expect(rollBack).toEqual(["ap-southeast", "eu-west"]);
    expect(plan.regions.map((r) => r.state)).toEqual(["rolledBack", "failed", "skipped"]);
    expect(regionWeights(plan, 5)).toEqual({ "eu-west": 0, "ap-southeast": 0, "us-east": 0 });
  });
});
