import type { RouterKind } from "../../core/types.ts";
import type { Db } from "../../db/client.ts";
import type { RouteTarget, TrafficRouter } from "../../engine/ports.ts";
import { parseRouterConfig } from "../../db/environment-config-schema.ts";
import type { ManagedRouter, RunnableRouterConfig } from "./build-router.ts";

/** Builds and starts a router from an environment's settings (factory.ts's `buildRouter`, bound to its deps). */
export type BuildRouter = (config: RunnableRouterConfig, where: { service: string; environment: string; region?: string }) => Promise<ManagedRouter>;

/** Whether this process runs the router of these settings at this place. */
export type RouterFilter = (config: RunnableRouterConfig, where: { service: string; environment: string; region?: string }) => boolean;

/** What one `syncFromDb` did, by `service/environment`. */
export type RouterSyncReport = { started: string[]; stopped: string[]; failed: { key: string; error: string }[] };

/** The two versions' own addresses behind a router, for checks aimed at one version (`{canaryUrl}`). */
export type Upstreams = { baselineUrl: string; canaryUrl: string };

type Entry = {
  kind: RouterKind;
  router: TrafficRouter;
  upstreams?: Upstreams;
  /** set when the registry started this router from the environment's settings */
  managed?: { fingerprint: string; stop: () => Promise<void> };
};

/**
 * The traffic routers this process runs, by service and environment. A run asks for the router
 * of its own service and environment; the manual router needs none (operators confirm).
 */
export class RouterRegistry {
  private readonly routers = new Map<string, Entry>();
  /** the flag router (issue 15): every flag run's, whatever its environment's router is */
  private flagRouter: TrafficRouter | null = null;
  // Syncs run one at a time: two overlapping ones could start the same router twice.
  private syncing: Promise<unknown> = Promise.resolve();

  /** `region`: the router of one region of the environment (region-by-region runs); none: the environment's own. */
  register(service: string, environment: string, kind: RouterKind, router: TrafficRouter, upstreams?: Upstreams, region?: string): void {
    this.routers.set(keyOf(service, environment, region), { kind, router, ...(upstreams ? { upstreams } : {}) });
  }

  /** Where the baseline and the canary answer directly, when this environment's (or region's) router knows it. */
  upstreams(service: string, environment: string, region?: string): Upstreams | null {
    return this.routers.get(keyOf(service, environment, region))?.upstreams ?? null;
  }

  /** Sets the router of every flag run (a run whose router kind is "flag"). */
  registerFlagRouter(router: TrafficRouter): void {
    this.flagRouter = router;
  }

  unregister(service: string, environment: string, region?: string): void {
    this.routers.delete(keyOf(service, environment, region));
  }

  /** The router for a run's step: its region's when the step has one, else the environment's. */
  routerFor(kind: string, target: RouteTarget): TrafficRouter | null {
    // A flag run moves a flag's share of users, not an environment's traffic: one router for all.
    if (kind === "flag") return this.flagRouter;
    const entry = this.routers.get(keyOf(target.service, target.environment, target.region));
    return entry && entry.kind === kind ? entry.router : null;
  }

  /**
   * Makes the running routers match the environments' stored router settings: starts a router for
   * each environment with settings, restarts one whose settings changed, stops and unregisters one
   * whose settings were cleared or whose environment is gone. Routers registered with `register`
   * (the demo fleet's) are left alone, and environments without settings are skipped. A router
   * that fails to start is logged and not registered, so runs on it fail with "no … router".
   */
  /** `accept`: which stored settings this process runs (the router process: built-in ones only); default all. */
  syncFromDb(db: Db, build: BuildRouter, log: (message: string) => void = (m) => console.error(m), accept: RouterFilter = () => true): Promise<RouterSyncReport> {
    const next = this.syncing.then(() => this.sync(db, build, log, accept));
    this.syncing = next.catch(() => {});
    return next;
  }

  /** Stops every router this registry started (process shutdown). */
  async stopManaged(): Promise<void> {
    const managed = [...this.routers.entries()].filter(([, e]) => e.managed);
    for (const [key] of managed) this.routers.delete(key);
    await Promise.allSettled(managed.map(([, e]) => e.managed?.stop()));
  }

  private async sync(db: Db, build: BuildRouter, log: (message: string) => void, accept: RouterFilter): Promise<RouterSyncReport> {
    const report: RouterSyncReport = { started: [], stopped: [], failed: [] };
    const rows = await db.environment.findMany({
      select: { name: true, routerConfig: true, service: { select: { slug: true } }, regions: { select: { name: true, router: true, routerConfig: true } } },
    });
    const wanted = new Map<string, { service: string; environment: string; region?: string; config: RunnableRouterConfig }>();
    for (const row of rows) {
      const config = parseRouterConfig(row.routerConfig);
      if (config && config.kind !== "manual") wanted.set(keyOf(row.service.slug, row.name), { service: row.service.slug, environment: row.name, config });
      // Each region of the environment runs its own router (issue 15).
      for (const region of row.regions) {
        const regional = region.router === "manual" ? null : parseRouterConfig(region.routerConfig);
        if (regional && regional.kind !== "manual") wanted.set(keyOf(row.service.slug, row.name, region.name), { service: row.service.slug, environment: row.name, region: region.name, config: regional });
      }
    }

    for (const [key, want] of wanted) if (!accept(want.config, want)) wanted.delete(key);

    for (const [key, entry] of this.routers) {
      if (!entry.managed) continue;
      const want = wanted.get(key);
      if (want && fingerprint(want.config) === entry.managed.fingerprint) continue;
      this.routers.delete(key);
      await entry.managed.stop().catch((e: unknown) => log(`[flightdeck] router ${key}: stopping failed: ${message(e)}`));
      report.stopped.push(key);
    }

    for (const [key, want] of wanted) {
      const current = this.routers.get(key);
      if (current) continue; // unchanged, or registered by the demo fleet
      try {
        const managed = await build(want.config, { service: want.service, environment: want.environment, ...(want.region ? { region: want.region } : {}) });
        this.routers.set(key, { kind: want.config.kind, router: managed.router, upstreams: upstreamsOf(want.config), managed: { fingerprint: fingerprint(want.config), stop: managed.stop } });
        report.started.push(key);
      } catch (e) {
        log(`[flightdeck] ${want.config.kind} router for ${key} did not start: ${message(e)}; runs there will fail until it is fixed in Settings`);
        report.failed.push({ key, error: message(e) });
      }
    }
    return report;
  }
}

/** `service/environment`, or `service/environment@region` for a region's own router. */
function keyOf(service: string, environment: string, region?: string): string {
  return region ? `${service}/${environment}@${region}` : `${service}/${environment}`;
}

function upstreamsOf(config: RunnableRouterConfig): Upstreams | undefined {
  switch (config.kind) {
    case "builtin":
      return { baselineUrl: config.baselineUrl, canaryUrl: config.canaryUrl };
    case "nginx":
      return { baselineUrl: `http://${config.baselineUpstream}`, canaryUrl: `http://${config.canaryUpstream}` };
    default:
      return undefined; // a webhook or command router's upstreams live elsewhere
  }
}

function fingerprint(config: RunnableRouterConfig): string {
  return JSON.stringify(config);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
