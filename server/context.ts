import type { Engine } from "./engine/engine.ts";

/**
 * The running process's engine and settings, registered by main.ts (or a test harness) on
 * globalThis so server actions — which Next bundles separately — reach the same engine.
 */
export type AppContext = {
  engine: Engine;
  /** operator-wide hold multiplier (FLIGHTDECK_HOLD_SCALE) */
  globalHoldScale: number;
};

const store = globalThis as unknown as { __flightdeckContext?: AppContext };

export function setAppContext(ctx: AppContext): void {
  store.__flightdeckContext = ctx;
}

export function appContext(): AppContext {
  if (!store.__flightdeckContext) throw new Error("Flightdeck engine not started");
  return store.__flightdeckContext;
}
