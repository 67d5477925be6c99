import { describe, expect, it } from "vitest";
import { DEFAULT_HOLD_SCALE, baseSteps, scaledSteps } from "./strategy.ts";
import { STRATEGIES, type RolloutStep } from "./types.ts";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const unscaled = { environment: 1, policy: 1, global: 1 };

describe("baseSteps (production durations)", () => {
  it("canary goes 5% for 30 min, 50% for 2 h, then 100%", () => {
    expect(baseSteps("canary")).toEqual([
      { kind: "setWeight", label: "Canary 5%", percent: 5, holdMs: 30 * MINUTE },
      { kind: "setWeight", label: "Canary 50%", percent: 50, holdMs: 2 * HOUR },
      { kind: "setWeight", label: "Full rollout 100%", percent: 100, holdMs: 10 * MINUTE },
    ]);
  });

  it("blue-green verifies green at 0%, then switches all traffic and keeps blue warm", () => {
    expect(baseSteps("blue-green").map((s) => [s.kind, s.percent, s.holdMs])).toEqual([
      ["switch", 0, 10 * MINUTE],
      ["switch", 100, 30 * MINUTE],
    ]);
  });

  it("rolling moves four batches of 25%, ten minutes each", () => {
    expect(baseSteps("rolling")).toEqual([
      { kind: "batch", label: "Batch 1 of 4 (25%)", percent: 25, holdMs: 10 * MINUTE },
      { kind: "batch", label: "Batch 2 of 4 (50%)", percent: 50, holdMs: 10 * MINUTE },
      { kind: "batch", label: "Batch 3 of 4 (75%)", percent: 75, holdMs: 10 * MINUTE },
      { kind: "batch", label: "Batch 4 of 4 (100%)", percent: 100, holdMs: 10 * MINUTE },
    ]);
  });

  it("immediate is a single step to 100%", () => {
    expect(baseSteps("immediate")).toEqual([{ kind: "setWeight", label: "Immediate 100%", percent: 100, holdMs: 10 * MINUTE }]);
  });

  it.each(STRATEGIES)("%s always ends with all traffic on the new version, weights never going down", (strategy) => {
    const percents = baseSteps(strategy).map((s) => s.percent);
    expect(percents.at(-1)).toBe(100);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });
});

describe("scaledSteps", () => {
  it("leaves production holds as they are", () => {
    expect(scaledSteps("canary", unscaled)).toEqual(baseSteps("canary"));
  });

  it("runs staging at 1/60 of production's holds", () => {
    expect(DEFAULT_HOLD_SCALE).toEqual({ staging: 1 / 60, production: 1 });
    const staging = scaledSteps("canary", { ...unscaled, environment: DEFAULT_HOLD_SCALE.staging });
    expect(staging.map((s) => s.holdMs)).toEqual([30 * SECOND, 2 * MINUTE, 10 * SECOND]);
  });

  it("doubles holds for a critical-risk policy and multiplies the factors together", () => {
    expect(scaledSteps("canary", { ...unscaled, policy: 2 }).map((s) => s.holdMs)).toEqual([HOUR, 4 * HOUR, 20 * MINUTE]);
    expect(scaledSteps("canary", { environment: 1 / 60, policy: 2, global: 0.5 }).map((s) => s.holdMs)).toEqual([30 * SECOND, 2 * MINUTE, 10 * SECOND]);
  });

  it("keeps weights, kinds and labels; only holds change", () => {
    const scaled = scaledSteps("rolling", { environment: 1 / 60, policy: 2, global: 0.1 });
    const shape = (steps: RolloutStep[]) => steps.map((s) => [s.kind, s.label, s.percent]);
    expect(shape(scaled)).toEqual(shape(baseSteps("rolling")));
  });

  it("never holds less than one second, however small the factor", () => {
    expect(scaledSteps("canary", { ...unscaled, global: 1e-9 }).map((s) => s.holdMs)).toEqual([SECOND, SECOND, SECOND]);
    expect(scaledSteps("immediate", { ...unscaled, global: 0 })[0]?.holdMs).toBe(SECOND);
  });

  it("rounds holds to whole milliseconds", () => {
    const holds = scaledSteps("blue-green", { ...unscaled, global: 1 / 7 }).map((s) => s.holdMs);
    expect(holds).toEqual([Math.round((10 * MINUTE) / 7), Math.round((30 * MINUTE) / 7)]);
    expect(holds.every(Number.isInteger)).toBe(true);
  });

  it("does not change the procedure defaults for later runs", () => {
    scaledSteps("canary", { ...unscaled, global: 0.001 });
    expect(baseSteps("canary")[0]?.holdMs).toBe(30 * MINUTE);
  });
});
