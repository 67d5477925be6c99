import { describe, expect, it } from "vitest";
import { isWatched, needsYou, whoMay } from "./run-summary.ts";
import { T0, actors, atApprovalGate, confirmStep, feed, inRollout } from "./testing.ts";

const creator = { id: actors.creator.id, role: actors.creator.role };
const manager = { id: actors.manager.id, role: actors.manager.role };
const onCall = { id: actors.onCall.id, role: actors.onCall.role };
const viewer = { id: actors.viewer.id, role: actors.viewer.role };
const pause = { by: "Otto On-call", at: "14:03:10", reason: "incident in payments" };

describe("who may act, in words", () => {
  it("names the roles that hold a permission, admins going without saying", () => {
    expect(whoMay("run.approve")).toBe("a release manager");
    expect(whoMay("run.rollback")).toBe("a release manager or on-call engineer");
  });
});

describe("the summary's line on what the run needs", () => {
  const sox = atApprovalGate({ environment: "production", risk: "medium", compliance: "sox" });

  it("asks an approver who may approve, and tells everyone else who can and what is missing", () => {
    expect(sox.waitingFor).toBe("approval");
    expect(needsYou(sox, manager, "Carl Creator", null)).toEqual({ text: "Needs your approval: 0 of 1 given", yours: true });
    // The creator under SOX, the on-call engineer and the viewer are offered nothing they cannot do.
    for (const reader of [creator, onCall, viewer]) {
      expect(needsYou(sox, reader, "Carl Creator", null)).toEqual({ text: "Needs 1 approval from a release manager other than Carl Creator", yours: false });
    }
  });

  it("leaves out those who already approved when a second approval is missing", () => {
    const critical = atApprovalGate({ environment: "production", risk: "critical", compliance: "sox" });
    const once = feed(critical, [{ kind: "approve", actor: actors.manager, reason: "ok" }]).state;
    expect(needsYou(once, manager, "Carl Creator", null)).toEqual({ text: "Needs 1 approval from a release manager other than Carl Creator or Rita Manager", yours: false });
  });

  it("asks whoever may confirm traffic for the step's weight, and tells a viewer who will", () => {
    const run = inRollout({ environment: "staging", risk: "low" });
    expect(needsYou(run, onCall, "Carl Creator", null)).toEqual({ text: "Set canary traffic to 5% in your deploy tool, then confirm it", yours: true });
    expect(needsYou(run, viewer, "Carl Creator", null)).toEqual({ text: "Needs a release manager or on-call engineer to confirm 5% of traffic on the canary", yours: false });
  });

  it("always says who paused the run and why; only those who may resume are told to", () => {
    const paused = feed(confirmStep(inRollout(), T0), [{ kind: "pause", actor: actors.onCall, reason: "incident in payments" }]).state;
    expect(needsYou(paused, manager, "Carl Creator", pause)).toEqual({
      text: "Paused by Otto On-call at 14:03:10: incident in payments — resume it when you are ready, or roll back",
      yours: true,
    });
    for (const reader of [viewer, onCall]) {
      const line = needsYou(paused, reader, "Carl Creator", pause);
      expect(line).toEqual({ text: "Paused by Otto On-call at 14:03:10: incident in payments — a release manager can resume it", yours: false });
      expect(line.text).not.toMatch(/when you are ready/);
    }
    expect(needsYou(paused, viewer, "Carl Creator", { ...pause, reason: "" }).text).toMatch(/^Paused by Otto On-call at 14:03:10: no reason given/);
    // Paused while the step waits for evidence: the pause is still what the line says.
    const waiting = { ...paused, waitingFor: "evidence" as const };
    expect(needsYou(waiting, viewer, "Carl Creator", pause).text).toMatch(/^Paused by Otto On-call at 14:03:10: incident in payments — a release manager can resume it$/);
  });

  it("says nothing needs a person while the canary holds", () => {
    const holding = confirmStep(inRollout(), T0);
    expect(needsYou(holding, viewer, "Carl Creator", null).yours).toBe(false);
    expect(needsYou(holding, viewer, "Carl Creator", null).text).toMatch(/nothing needs a person right now|keep an eye on your own dashboards/);
  });
});

describe("whether an analysis watches the run", () => {
  it("not on a manual router, but yes when a region of it has its own built-in router", () => {
    const s = inRollout();
    expect(isWatched(s)).toBe(s.params.router !== "manual" && Boolean(s.params.analysis));
    const analysis = s.params.analysis ?? { triggers: [] };
    const manual = { ...s, params: { ...s.params, router: "manual", analysis } } as typeof s;
    expect(isWatched(manual)).toBe(false);
    const regional = { ...manual, regionPlan: { policy: { rollbackReleasedRegions: false }, regions: [{ name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [], router: "builtin", state: "active", startedAt: null, endedAt: null, reason: null }] } } as unknown as typeof s;
    expect(isWatched(regional)).toBe(true);
    expect(isWatched({ ...regional, params: { ...regional.params, analysis: undefined } } as unknown as typeof s)).toBe(false);
  });
});
