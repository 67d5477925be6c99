import { describe, expect, it } from "vitest";
import { heldWeight } from "./held-weight.ts";
import { actors, createRun, feed, inRollout, throughRollout } from "./testing.ts";

const builtin = { router: "builtin" as const };

describe("the weight a run holds on its router", () => {
  it("is none before the rollout: nothing has moved traffic yet", () => {
    expect(heldWeight(createRun(builtin))).toBeNull();
  });

  it("is none while a step shifts traffic: the engine is setting it", () => {
    const shifting = inRollout(builtin);
    expect(shifting.stepPhase).toBe("shifting");
    expect(heldWeight(shifting)).toBeNull();
  });

  it("is the step's weight once applied, paused or not", () => {
    const holding = feed(inRollout(builtin), [{ kind: "weightApplied", stepIndex: 0, percent: 5 }]).state;
    expect(heldWeight(holding)).toBe(5);
    const paused = feed(holding, [{ kind: "pause", actor: actors.manager, reason: "lunch" }]).state;
    expect(heldWeight(paused)).toBe(5);
  });

  it("is the final weight during post-deploy verification", () => {
    const verifying = throughRollout(inRollout());
    expect(verifying.phase).toBe("post_deploy");
    expect(heldWeight(verifying)).toBe(100);
  });

  it("is none during and after a rollback: the rollback owns the traffic", () => {
    const holding = feed(inRollout(builtin), [{ kind: "weightApplied", stepIndex: 0, percent: 5 }]).state;
    const rollingBack = feed(holding, [{ kind: "rollback", actor: actors.onCall, reason: "errors" }]).state;
    expect(rollingBack.status).toBe("rolling_back");
    expect(heldWeight(rollingBack)).toBeNull();
  });
});
