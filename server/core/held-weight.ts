import type { RunState } from "./types.ts";

/**
 * The canary weight a run holds on its router now, which the router must keep serving: the
 * current step's weight once it is applied (holding, running or paused), and the final weight
 * after the rollout while post-deploy verification and the release record run. Null while the
 * engine moves traffic (a step shifting, a rollback reverting) or when the run has ended: then the
 * weight is the engine's to set, and a second writer would fight it.
 */
export function heldWeight(state: RunState): number | null {
  if (state.status !== "running" && state.status !== "paused") return null;
  switch (state.phase) {
    case "rollout":
      return state.stepPhase === "holding" ? state.canaryPercent : null;
    case "post_deploy":
    case "record":
      return state.canaryPercent;
    case "pre_deploy":
    case "build":
    case "approval":
    case "done":
      return null;
    default: {
      const never: never = state.phase;
      throw new Error(`unknown phase ${String(never)}`);
    }
  }
}
