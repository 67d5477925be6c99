import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import { defaultAnalysisConfig } from "./analysis/triggers.ts";
import { flagChange, flagRunHeadline, flagSteps, sideOfVariant, variantEvidence } from "./flag-runs.ts";
import { needsYou } from "./run-summary.ts";
import { baseSteps } from "./strategy.ts";
import { T0, actors, feed, inRollout } from "./testing.ts";

const flag = { key: "new-checkout", variant: "on", baselineVariant: "off" };

describe("a flag run's words and sides (issue 15)", () => {
  it("shows the flag and its variants where a version run shows versions", () => {
    expect(flagChange(flag)).toBe("Flag new-checkout: off → on");
    expect(flagRunHeadline(flag, 5)).toBe("Flag new-checkout: off → on, 5% of users");
  });

  it("keeps a canary's percentages and holds, worded as shares of users", () => {
    const steps = flagSteps(baseSteps("canary"), flag);
    expect(steps.map((s) => [s.percent, s.holdMs, s.label])).toEqual(baseSteps("canary").map((s) => [s.percent, s.holdMs, `on for ${s.percent}% of users`]));
  });

  it("counts the new variant as the canary and every other variant as the baseline", () => {
    expect(sideOfVariant(flag, "on")).toBe("canary");
    expect(sideOfVariant(flag, "off")).toBe("baseline");
    expect(sideOfVariant(flag, "beta")).toBe("baseline");
  });

  it("moves the flag without an operator, and a rollback verdict names the variants it compared", () => {
    const s = inRollout({ router: "flag", flag, analysis: defaultAnalysisConfig(), targetVersion: "new-checkout → on", baselineVersion: "new-checkout → off" });
    // The flag router applies each share itself: no weight to confirm by hand.
    expect(s.waitingFor).toBeNull();
    const holding = feed(s, [{ kind: "weightApplied", stepIndex: 0, percent: 5 }]).state;
    expect(needsYou(holding, { id: actors.viewer.id, role: actors.viewer.role }, "Carl Creator", null).text).toBe(
      "on is on for 5% of users while the analysis compares them with those on off; nothing needs a person right now",
    );
    // The router failed (the flag was deleted meanwhile): the run holds and says what is wrong, in the flag's words.
    const stuck = feed(s, [{ kind: "routerFailed", stepIndex: 0, error: "flag new-checkout not found" }]).state;
    expect(needsYou(stuck, { id: actors.onCall.id, role: actors.onCall.role }, "Carl Creator", null).text).toBe(
      "The flag router could not give on of new-checkout to 5% of users: fix the flag in Settings and confirm 5%, or roll back",
    );
    const message = "Canary errors 40% (8 of 20), baseline 0%; threshold 1%";
    const t = decide(holding, { kind: "analysis", stepIndex: 0, result: { verdict: "rollback", summary: message, requestsNeeded: 0, decidedBy: { trigger: "error-rate", message }, at: T0 } }, T0 + 1000);
    expect(t.state.status).toBe("rolling_back");
    expect(t.state.rollback?.reason).toBe(variantEvidence(flag, message));
    expect(t.decisions).toContainEqual(expect.objectContaining({ verdict: "rollback", reason: `Automatic rollback: Users on new-checkout=on against off: ${message}` }));
  });
});
