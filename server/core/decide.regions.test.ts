import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import { wavePlan, type RegionSpec } from "./regions.ts";
import { nextDeadline } from "./run-state.ts";
import { regionSteps } from "./strategy.ts";
import { actors, atApprovalGate, feed, type Fed } from "./testing.ts";
import type { AnalysisSnapshot, RunState } from "./types.ts";

// A region-by-region run through decide: Dublin first, then Sydney, each with the canary's steps
// on its own built-in router; Sydney only starts inside its Mon–Fri 09:00–17:00 local window.
const officeHours = { days: [1, 2, 3, 4, 5], from: "09:00", to: "17:00" };
const dublin: RegionSpec = { name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [], router: "builtin" };
const sydney: RegionSpec = { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney", windows: [officeHours], router: "builtin" };
const tuesdayNoonSydney = Date.UTC(2026, 11, 8, 1); // Tue 8 Dec 12:00 AEDT = 01:00 UTC
const fridayEveningSydney = Date.UTC(2026, 11, 4, 9, 30); // Fri 4 Dec 20:30 AEDT = 09:30 Dublin

function regionRun(rollbackReleasedRegions = false, regions: RegionSpec[] = [dublin, sydney]): RunState {
  const gate = atApprovalGate({ router: "builtin", strategy: "canary" });
  const plan = wavePlan(regions, { rollbackReleasedRegions });
  return { ...gate, steps: regionSteps(gate.steps, plan.regions), regionPlan: plan };
}

const approve = { kind: "approve", actor: actors.manager, reason: "checks green" } as const;
const pass: AnalysisSnapshot = { verdict: "pass", summary: "error rate 0.1% vs 0.1%", requestsNeeded: 0, decidedBy: null, at: 0 };
const failing: AnalysisSnapshot = { verdict: "rollback", summary: "error rate 9% vs 0.1%", requestsNeeded: 0, decidedBy: { trigger: "error-rate", message: "error rate 9% vs 0.1% (limit 1%)" }, at: 0 };
const states = (s: RunState) => s.regionPlan?.regions.map((r) => [r.name, r.state]);

/** Applies the current step's weight, lets its hold pass on healthy evidence; returns the last transition. */
function passStep(state: RunState, now: number): Fed {
  const step = state.steps[state.stepIndex];
  const applied = feed(state, [{ kind: "weightApplied", stepIndex: state.stepIndex, percent: step?.percent ?? 0 }], now).state;
  const analysed = feed(applied, [{ kind: "analysis", stepIndex: state.stepIndex, result: { ...pass, at: now } }], now).state;
  return feed(analysed, [{ kind: "tick" }], (applied.holdEndsAt ?? now) + 1);
}

function throughRegion(state: RunState, region: string, now: number): Fed {
  let fed: Fed = { state, effects: [], decisions: [] } as unknown as Fed;
  while (fed.state.steps[fed.state.stepIndex]?.region === region && fed.state.phase === "rollout" && !fed.state.regionWait) fed = passStep(fed.state, now);
  return fed;
}

describe("a region-by-region run", () => {
  it("starts with the first wave's region, sending each weight to that region's router", () => {
    const fed = feed(regionRun(), [approve], tuesdayNoonSydney);
    expect(states(fed.state)).toEqual([
      ["eu-west", "active"],
      ["ap-southeast", "pending"],
    ]);
    expect(fed.effects).toContainEqual({ kind: "setWeight", stepIndex: 0, percent: 5, region: "eu-west" });
    expect(fed.decisions).toContainEqual(expect.objectContaining({ trigger: "region", reason: "eu-west starts (wave 1)", region: "eu-west" }));
    expect(fed.state.steps.map((s) => s.label)).toEqual([
      "eu-west: Canary 5%",
      "eu-west: Canary 50%",
      "eu-west: Full rollout 100%",
      "ap-southeast: Canary 5%",
      "ap-southeast: Canary 50%",
      "ap-southeast: Full rollout 100%",
    ]);
  });

  it("goes wave by wave: the next region starts only when the previous one is released healthy", () => {
    let s = feed(regionRun(), [approve], tuesdayNoonSydney).state;
    const hold = passStep(s, tuesdayNoonSydney);
    expect(hold.decisions).toContainEqual(expect.objectContaining({ verdict: "advance", region: "eu-west" }));
    s = throughRegion(s, "eu-west", tuesdayNoonSydney).state;
    expect(states(s)).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "active"],
    ]);
    expect(s.steps[s.stepIndex]).toMatchObject({ region: "ap-southeast", percent: 5 });
    s = throughRegion(s, "ap-southeast", tuesdayNoonSydney).state;
    expect(states(s)).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "released"],
    ]);
    expect(s.phase).toBe("post_deploy");
  });

  it("waits for a closed window, saying until when in the region's local time, then starts it when the window opens", () => {
    const s = feed(regionRun(), [approve], fridayEveningSydney).state;
    const released = throughRegion(s, "eu-west", fridayEveningSydney);
    expect(states(released.state)).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "pending"],
    ]);
    const mondayNineSydney = Date.UTC(2026, 11, 6, 22); // Mon 7 Dec 09:00 AEDT
    expect(released.state.regionWait).toMatchObject({ region: "ap-southeast", until: mondayNineSydney });
    expect(released.state.regionWait?.message).toMatch(/^Waiting for ap-southeast's window \(Mon–Fri 09:00–17:00 local time\): opens Mon 7 Dec.*09:00.*\(Australia\/Sydney\)$/);
    expect(released.decisions).toContainEqual(expect.objectContaining({ trigger: "region-window", verdict: "hold", region: "ap-southeast" }));
    expect(nextDeadline(released.state)).toBe(mondayNineSydney);
    // Nothing moves before then; the clock reaching Monday 09:00 in Sydney starts it.
    expect(decide(released.state, { kind: "tick" }, mondayNineSydney - 60_000).state).toEqual(released.state);
    const opened = feed(released.state, [{ kind: "tick" }], mondayNineSydney);
    expect(states(opened.state)).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "active"],
    ]);
    expect(opened.state.regionWait).toBeNull();
    expect(opened.effects).toContainEqual({ kind: "setWeight", stepIndex: 3, percent: 5, region: "ap-southeast" });
  });

  it("a failing region is rolled back there and stops the waves; the released region keeps its traffic by default", () => {
    let s = feed(regionRun(), [approve], tuesdayNoonSydney).state;
    s = throughRegion(s, "eu-west", tuesdayNoonSydney).state;
    s = feed(s, [{ kind: "weightApplied", stepIndex: s.stepIndex, percent: 5 }], tuesdayNoonSydney).state;
    const failed = feed(s, [{ kind: "analysis", stepIndex: s.stepIndex, result: failing }], tuesdayNoonSydney + 60_000);
    expect(failed.state.status).toBe("rolling_back");
    expect(states(failed.state)).toEqual([
      ["eu-west", "released"],
      ["ap-southeast", "failed"],
    ]);
    expect(failed.state.regionPlan?.regions[1]?.reason).toBe("error rate 9% vs 0.1% (limit 1%)");
    expect(failed.effects).toContainEqual({ kind: "rollbackStep", step: "revert_traffic", percent: 0, regions: ["ap-southeast"] });
    expect(failed.decisions).toContainEqual(expect.objectContaining({ verdict: "rollback", region: "ap-southeast", evidence: expect.objectContaining({ regions: "ap-southeast" }) }));
  });

  it("with rollbackReleasedRegions, the released regions are rolled back too, and later regions are skipped", () => {
    const third: RegionSpec = { name: "us-east", wave: 3, timeZone: "America/New_York", windows: [], router: "builtin" };
    let s = feed(regionRun(true, [dublin, sydney, third]), [approve], tuesdayNoonSydney).state;
    s = throughRegion(s, "eu-west", tuesdayNoonSydney).state;
    s = feed(s, [{ kind: "weightApplied", stepIndex: s.stepIndex, percent: 5 }], tuesdayNoonSydney).state;
    const failed = feed(s, [{ kind: "analysis", stepIndex: s.stepIndex, result: failing }], tuesdayNoonSydney + 60_000);
    expect(states(failed.state)).toEqual([
      ["eu-west", "rolledBack"],
      ["ap-southeast", "failed"],
      ["us-east", "skipped"],
    ]);
    expect(failed.effects).toContainEqual({ kind: "rollbackStep", step: "revert_traffic", percent: 0, regions: ["ap-southeast", "eu-west"] });
  });

  it("a person rolling back between waves takes back every released region", () => {
    const s = throughRegion(feed(regionRun(), [approve], fridayEveningSydney).state, "eu-west", fridayEveningSydney).state;
    const back = feed(s, [{ kind: "rollback", actor: actors.onCall, reason: "bad release notes" }], fridayEveningSydney + 60_000);
    expect(states(back.state)).toEqual([
      ["eu-west", "rolledBack"],
      ["ap-southeast", "skipped"],
    ]);
    expect(back.state.regionWait).toBeNull();
    expect(back.effects).toContainEqual({ kind: "rollbackStep", step: "revert_traffic", percent: 0, regions: ["eu-west"] });
  });
});
