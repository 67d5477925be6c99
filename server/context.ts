import type { RunTarget } from "./services/runs.ts";
import type { Engine } from "./engine/engine.ts";
import type { MetricsAggregator } from "./metrics/aggregator.ts";
import type { MetricsForwarder } from "./metrics/metrics-forwarder.ts";
import type { TFault } from "../demo/fault.ts";

/** Fault injection into the demo fleet's versions (present only when the demo runs). */
export type DemoControl = {
  /** the service and environment the demo fleet serves */
  service: string;
  environment: string;
  /** what can be injected: an error rate, added latency (all requests or the tail), memory growth */
  /** the production regions that have their own fleet (issue 15), in wave order */
  regions: string[];
  /** `region`: that production region's fleet; none: the staging fleet */
  setFault(side: "baseline" | "canary", fault: TFault, region?: string): Promise<void>;
  /** stages a new run's versions on the fleet (restarts a process that plays another version) */
  prepare(target: RunTarget): Promise<void>;
  /**
   * Ends the demo's own rehearsal run (the canary `npm start` shows on first start) when someone
   * asks for a real release where it runs, and waits until it has ended; nothing otherwise.
   */
  yieldRehearsal(where: { service: string; environment: string }, requestedBy: string): Promise<void>;
};

/**
 * The running process's engine and settings, registered by main.ts (or a test harness) on
 * globalThis so server actions — which Next bundles separately — reach the same engine.
 */
export type AppContext = {
  engine: Engine;
  /** operator-wide hold multiplier (FLIGHTDECK_HOLD_SCALE) */
  globalHoldScale: number;
  /** live request metrics of runs (routers and the ingest API write, the analysis reads) */
  aggregator: MetricsAggregator;
  /** samples of runs another instance analyses go to it through the metric inbox; absent: a lone process */
  forwarder?: MetricsForwarder;
  /** the demo fleet, when FLIGHTDECK_DEMO is on and it started; else null */
  demo: DemoControl | null;
  /** re-reads the environments' router settings and starts/stops routers to match (after a Settings change); absent in the bench harness */
  reloadRouters?: () => Promise<void>;
};

const store = globalThis as unknown as { __flightdeckContext?: AppContext };

export function setAppContext(ctx: AppContext): void {
  store.__flightdeckContext = ctx;
}

export function appContext(): AppContext {
  if (!store.__flightdeckContext) throw new Error("Flightdeck engine not started");
  return store.__flightdeckContext;
}
