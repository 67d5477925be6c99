import { startDemoFleet, type DemoFleet } from "../../demo/fleet.ts";
import type { TFaultInput } from "../../demo/fault.ts";
import type { FlagSample } from "../../demo/sample-app.ts";
import type { RouterRegistry } from "../adapters/routers/registry.ts";
import type { Db } from "../db/client.ts";
import type { ObservationSink } from "../metrics/types.ts";

// Issue 15: the demo's production goes region by region. Each region has its own built-in router
// in front of its own baseline and canary processes, so a fault can show in one region only.

/** The demo production's regions: Europe first (wave 1), then Asia-Pacific (wave 2); no windows. */
export const DEMO_REGIONS = [
  { name: "eu-west", wave: 1, timeZone: "Europe/Dublin" },
  { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney" },
] as const;

/** The environment whose regions the demo runs. */
export const DEMO_REGION_ENVIRONMENT = "production";

/**
 * The routers' ports: `explicit` (FLIGHTDECK_DEMO_REGION_PORTS) when given, else the ports after
 * the staging router's (4100 → 4101, 4102); 0 stays 0 (a free port each, for tests).
 */
export function demoRegionPorts(stagingPort: number, explicit?: number[]): number[] {
  if (explicit && explicit.length > 0) return DEMO_REGIONS.map((_, i) => explicit[i] ?? 0);
  return DEMO_REGIONS.map((_, i) => (stagingPort === 0 ? 0 : stagingPort + i + 1));
}

/**
 * Gives the demo service's production its two regions, on the built-in router, unless it has
 * regions already (an admin's own list is kept, even a changed one).
 */
export async function seedDemoRegions(db: Db, serviceId: string): Promise<void> {
  const env = await db.environment.findFirst({ where: { serviceId, name: DEMO_REGION_ENVIRONMENT }, select: { id: true, _count: { select: { regions: true } } } });
  if (!env || env._count.regions > 0) return;
  await db.region.createMany({
    data: DEMO_REGIONS.map((r) => ({ environmentId: env.id, name: r.name, wave: r.wave, timeZone: r.timeZone, router: "builtin" })),
    skipDuplicates: true,
  });
}

/** The running regional fleets, by region name. */
export type DemoRegionFleets = {
  fleets: Map<string, DemoFleet>;
  /** injects (or clears) a fault on one side of one region */
  setFault(region: string, side: "baseline" | "canary", fault: TFaultInput): Promise<void>;
  /** stages a run's versions in every region */
  playVersions(baselineVersion: string, canaryVersion: string): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts one fleet per demo region (in parallel, so the demo starts no slower) at `rps` each and
 * registers each router under its region's key.
 */
export async function startDemoRegions(deps: {
  service: string;
  registry: RouterRegistry;
  sink: ObservationSink;
  baselineVersion: string;
  canaryVersion: string;
  ports: number[];
  rps: number;
  siteDirFor?: (version: string) => string | undefined;
  /** Flightdeck's OFREP base for production: each region's storefront reads the checkout flag there (issue 15) */
  flagsUrl?: string;
  onFlagSamples?: (samples: FlagSample[]) => void;
}): Promise<DemoRegionFleets> {
  const started = await Promise.allSettled(
    DEMO_REGIONS.map((r, i) =>
      startDemoFleet({ baselineVersion: deps.baselineVersion, canaryVersion: deps.canaryVersion, routerPort: deps.ports[i] ?? 0, rps: deps.rps, sink: deps.sink, siteDirFor: deps.siteDirFor, region: r.name, flagsUrl: deps.flagsUrl, onFlagSamples: deps.onFlagSamples }).then((fleet) => ({ region: r.name, fleet })),
    ),
  );
  const fleets = new Map<string, DemoFleet>();
  for (const s of started) if (s.status === "fulfilled") fleets.set(s.value.region, s.value.fleet);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    // One region without its fleet would make every production run fail there: start none.
    await Promise.allSettled([...fleets.values()].map((f) => f.stop()));
    throw failed.reason;
  }
  for (const [region, fleet] of fleets) {
    deps.registry.register(deps.service, DEMO_REGION_ENVIRONMENT, "builtin", fleet.router, { baselineUrl: fleet.services.baseline.url, canaryUrl: fleet.services.canary.url }, region);
  }
  return {
    fleets,
    setFault: async (region, side, fault) => {
      const fleet = fleets.get(region);
      if (!fleet) throw new Error(`no demo fleet in region ${region}`);
      // A flag variant's fault (issue 15) follows its users, who are on both versions' processes.
      if (fault.variant) await Promise.all([fleet.setFault("baseline", fault), fleet.setFault("canary", fault)]);
      else await fleet.setFault(side, fault);
    },
    playVersions: async (baselineVersion, canaryVersion) => {
      await Promise.all([...fleets.values()].flatMap((f) => [f.playVersion("baseline", baselineVersion), f.playVersion("canary", canaryVersion)]));
    },
    stop: async () => {
      for (const region of fleets.keys()) deps.registry.unregister(deps.service, DEMO_REGION_ENVIRONMENT, region);
      await Promise.allSettled([...fleets.values()].map((f) => f.stop()));
    },
  };
}
