import type { RolloutStep, RunFlag, RunState } from "./types.ts";

/**
 * A flag run's words and its analysis sides (issue 15). A flag run rolls a feature flag's new
 * variant out to a growing share of users instead of a version: where a version would be shown
 * the run shows the flag, and the analysis compares users on the new variant (its canary) with
 * everyone else (its baseline).
 */

/** The label stored where a version run stores its version: "new-checkout → on". */
export function flagVersionLabel(key: string, variant: string): string {
  return `${key} → ${variant}`;
}

/** "Flag new-checkout: off → on", what the run page shows instead of "1.4.2 → 1.5.0". */
export function flagChange(flag: RunFlag): string {
  return `Flag ${flag.key}: ${flag.baselineVariant} → ${flag.variant}`;
}

/** "Flag new-checkout: off → on, 5% of users": the change and the share getting the new variant now. */
export function flagRunHeadline(flag: RunFlag, percent: number): string {
  return `${flagChange(flag)}, ${percent}% of users`;
}

/** The run's flag, or null for a version run. */
export function runFlag(state: RunState): RunFlag | null {
  return state.params.flag ?? null;
}

/**
 * Which side of a flag run a sample tagged with `variant` belongs to: the run's new variant is the
 * canary, any other variant the baseline (users the rollout has not reached yet get the default).
 */
export function sideOfVariant(flag: Pick<RunFlag, "variant">, variant: string): "baseline" | "canary" {
  return variant === flag.variant ? "canary" : "baseline";
}

/**
 * A flag run's steps: the strategy's percentages and holds unchanged (5% → 50% → 100% for a
 * canary), labelled with the share of users who get the new variant ("on for 5% of users").
 */
export function flagSteps(steps: RolloutStep[], flag: RunFlag): RolloutStep[] {
  return steps.map((s) => ({ ...s, label: `${flag.variant} for ${s.percent}% of users` }));
}

/**
 * An analysis finding in a flag run's words: the canary is the users on the new variant, the
 * baseline those on the others ("Users on new-checkout=on against off: Canary errors 40% …").
 */
export function variantEvidence(flag: RunFlag, finding: string): string {
  return `Users on ${flag.key}=${flag.variant} against ${flag.baselineVariant}: ${finding}`;
}
