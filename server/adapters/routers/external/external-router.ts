import type { Db } from "../../../db/client.ts";
import type { ManagedRouter } from "../build-router.ts";
import type { RouteTarget, ServedWeight, TrafficRouter } from "../../../engine/ports.ts";
import { placeKey, readDesiredWeight, ROUTER_STALE_MS, servedRoutes, writeDesiredWeight, type Place, type ServedRoute } from "./weight-store.ts";

/** How to reach the router process. */
export type ExternalRouterOptions = {
  db: Db;
  /** the place this router splits (the registry builds one per environment or region) */
  place: Place;
  /** how long `verifyWeight` waits for the router process to report the weight; default 5 s */
  verifyTimeoutMs?: number;
  /** a router process silent for longer is gone; default ROUTER_STALE_MS */
  staleMs?: number;
};

const VERIFY_POLL_MS = 25;

/**
 * The dashboard's side of a built-in router that runs as its own process (`npm run router`,
 * FLIGHTDECK_ROUTER=external): it writes the weight the engine decides to the database and reads
 * back what the router process reports. A router process that stopped beating is "unreachable"
 * (servedWeight null, verifyWeight false), so the engine's reconciliation and its router-failure
 * handling apply exactly as for an nginx that went away. Keeps nothing in memory: a dashboard
 * restarted with a fresh registry sees the same weights.
 */
export class ExternalRouter implements TrafficRouter {
  private readonly key: string;

  constructor(private readonly options: ExternalRouterOptions) {
    this.key = placeKey(options.place);
  }

  async setWeight(target: RouteTarget, percent: number): Promise<void> {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`weight must be 0–100, got ${percent}`);
    await writeDesiredWeight(this.options.db, this.key, { runId: target.runId, percent });
  }

  /** True once every live router process serving this place reports the run and the weight (at least one must). */
  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    const end = Date.now() + (this.options.verifyTimeoutMs ?? 5_000);
    for (;;) {
      const routes = await this.routes();
      if (routes.length > 0 && routes.every((r) => r.listening !== null && r.runId === target.runId && r.percent === percent)) return true;
      if (Date.now() >= end) return false;
      await new Promise((r) => setTimeout(r, VERIFY_POLL_MS));
    }
  }

  /**
   * What the router process serves, as it last reported; null when no live process serves this
   * place (none started, or it stopped beating). With several processes at one place, one that
   * does not serve the desired weight is what is returned, so the reconciler corrects it.
   */
  async servedWeight(): Promise<ServedWeight | null> {
    const routes = (await this.routes()).filter((r) => r.listening !== null);
    const first = routes[0];
    if (!first) return null;
    const desired = routes.length > 1 ? await readDesiredWeight(this.options.db, this.key) : null;
    const odd = desired ? (routes.find((r) => r.runId !== desired.runId || r.percent !== desired.percent) ?? first) : first;
    return { runId: odd.runId, percent: odd.percent };
  }

  private routes(): Promise<ServedRoute[]> {
    return servedRoutes(this.options.db, this.key, this.options.staleMs ?? ROUTER_STALE_MS);
  }
}

/** The registry's entry for a built-in router run by the router process (nothing to stop here). */
export function externalRouter(db: Db, place: Place): ManagedRouter {
  return { router: new ExternalRouter({ db, place }), stop: async () => {} };
}
