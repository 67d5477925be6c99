import type { EnvironmentName, RolloutStep, Strategy } from "./types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The steps of each strategy at production durations (procedure defaults).
 * Canary: 5% for 30 min → 50% for 2 h → 100%. Blue-green: start green, switch, keep blue warm.
 */
export function baseSteps(strategy: Strategy): RolloutStep[] {
  switch (strategy) {
    case "canary":
      return [
        { kind: "setWeight", label: "Canary 5%", percent: 5, holdMs: 30 * MINUTE },
        { kind: "setWeight", label: "Canary 50%", percent: 50, holdMs: 2 * HOUR },
        { kind: "setWeight", label: "Full rollout 100%", percent: 100, holdMs: 10 * MINUTE },
      ];
    case "blue-green":
      return [
        { kind: "switch", label: "Green up, verifying (0%)", percent: 0, holdMs: 10 * MINUTE },
        { kind: "switch", label: "Switch to green (100%), blue kept warm", percent: 100, holdMs: 30 * MINUTE },
      ];
    case "rolling":
      return [25, 50, 75, 100].map((percent) => ({
        kind: "batch" as const,
        label: `Batch ${percent / 25} of 4 (${percent}%)`,
        percent,
        holdMs: 10 * MINUTE,
      }));
    case "immediate":
      return [{ kind: "setWeight", label: "Immediate 100%", percent: 100, holdMs: 10 * MINUTE }];
    default: {
      const never: never = strategy;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
}

/**
 * Steps with holds scaled: by the environment (staging runs shorter), by policy (critical risk
 * doubles) and by an operator-wide factor (tests use a tiny one). Holds never drop below 1 s.
 */
export function scaledSteps(
  strategy: Strategy,
  scale: { environment: number; policy: number; global: number },
): RolloutStep[] {
  const factor = scale.environment * scale.policy * scale.global;
  return baseSteps(strategy).map((s) => ({ ...s, holdMs: Math.max(1_000, Math.round(s.holdMs * factor)) }));
}

/** Default hold scale per environment: staging holds are 1/60 of production's. */
export const DEFAULT_HOLD_SCALE: Record<EnvironmentName, number> = { staging: 1 / 60, production: 1 };

/**
 * A region-by-region run's steps: the strategy's steps for each region in wave order, each
 * labelled with and bound to its region (its weights go to that region's router).
 */
export function regionSteps(steps: RolloutStep[], regions: { name: string }[]): RolloutStep[] {
  return regions.flatMap((r) => steps.map((s) => ({ ...s, label: `${r.name}: ${s.label}`, region: r.name })));
}
