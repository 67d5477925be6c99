import pg from "pg";
import type { Db } from "../db/client.ts";
import { BuiltinRouter } from "../adapters/routers/builtin/builtin-router.ts";
import type { ManagedRouter, RunnableRouterConfig } from "../adapters/routers/build-router.ts";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import {
  placeKey,
  readDesiredWeights,
  removeRouterReport,
  reportRouter,
  ROUTER_WEIGHT_CHANNEL,
  type DesiredWeight,
  type Place,
  type RouterReport,
} from "../adapters/routers/external/weight-store.ts";
import type { ObservationSink } from "../metrics/types.ts";

/** What the router process needs. */
export type RouterProcessOptions = {
  db: Db;
  /** for the LISTEN connection (the weight announcements) */
  databaseUrl: string;
  /** its `server_instance` id */
  id: string;
  /** interface every router listens on; default 127.0.0.1 */
  host?: string;
  /** places to serve (`service/environment[@region]`); null: every built-in router in Settings */
  only: ReadonlySet<string> | null;
  /** receives every proxied request of a run (the metric inbox forwarder) */
  sink: ObservationSink;
  onError: (where: string, e: unknown) => void;
  log: (line: string) => void;
  /** heartbeat and report period; default 1 s (the dashboards call a router silent for 5 s gone) */
  heartbeatMs?: number;
  /** how often the stored weights are read even without an announcement; default 1 s */
  pollMs?: number;
  /** how often the router settings are read again; default 5 s */
  syncMs?: number;
};

type Running = { router: BuiltinRouter; place: Place; at: string };

/**
 * The built-in routers as their own process (`npm run router`): it starts the router of every
 * environment and region whose stored settings say "builtin", applies the weights the dashboard
 * stores (woken by a NOTIFY, and a 1 s read in case one was missed), and reports what it serves in
 * its `server_instance` row every second. It holds the last weight it was given whatever happens
 * to the dashboard, so a dashboard restart drops no request; when it starts it applies the stored
 * weight before it listens, so a router restart never serves a stale split.
 */
export class RouterProcess {
  private readonly registry = new RouterRegistry();
  private readonly running = new Map<string, Running>();
  private desired = new Map<string, DesiredWeight>();
  private listener: pg.Client | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private applying: Promise<void> | null = null;
  private applyAgain = false;

  constructor(private readonly options: RouterProcessOptions) {}

  /** Reads the weights, starts the routers, reports; then keeps them in step. */
  async start(): Promise<void> {
    await this.listen().catch((e: unknown) => this.options.onError("router.listen", e));
    this.desired = await readDesiredWeights(this.options.db);
    await this.sync();
    // A misspelt --only place would otherwise just serve nothing, silently.
    for (const place of this.options.only ?? []) if (!this.running.has(place)) this.options.log(`[router] ${place}: no built-in router for it in Settings (yet); checked again every few seconds`);
    await this.report();
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      let busy = false;
      this.timers.push(
        setInterval(() => {
          if (busy || this.stopped) return;
          busy = true;
          fn()
            .catch((e: unknown) => this.options.onError(what, e))
            .finally(() => {
              busy = false;
            });
        }, ms),
      );
    };
    every(this.options.heartbeatMs ?? 1_000, "router.report", () => this.report());
    every(this.options.pollMs ?? 1_000, "router.weights", async () => {
      if (!this.listener) await this.listen().catch(() => {});
      await this.apply();
    });
    every(this.options.syncMs ?? 5_000, "router.sync", () => this.sync());
  }

  /** What it serves now, by place (as reported). */
  routes(): RouterReport["routes"] {
    const routes: RouterReport["routes"] = {};
    for (const [key, r] of this.running) {
      const { runId, percent, listening } = r.router.state();
      routes[key] = { runId, percent, listening: listening ? (r.router.address()?.url ?? null) : null, at: r.at };
    }
    return routes;
  }

  /** Stops reporting (the dashboards see its places unserved at once), then the routers, draining busy requests for up to `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.applying;
    await removeRouterReport(this.options.db, this.options.id).catch((e: unknown) => this.options.onError("router.report", e));
    await Promise.allSettled([...this.running.values()].map((r) => r.router.stop(graceMs)));
    await this.registry.stopManaged();
    await this.listener?.end().catch(() => {});
    this.listener = null;
  }

  private async report(): Promise<void> {
    if (this.stopped) return;
    await reportRouter(this.options.db, this.options.id, this.options.host ?? "127.0.0.1", { pid: process.pid, routes: this.routes() });
  }

  private async sync(): Promise<void> {
    const result = await this.registry.syncFromDb(
      this.options.db,
      (config, where) => this.build(config, where),
      (m) => this.options.log(m),
      (config, where) => config.kind === "builtin" && (this.options.only === null || this.options.only.has(placeKey(where))),
    );
    for (const key of result.started) this.options.log(`[router] ${key}: listening on ${this.running.get(key)?.router.address()?.url ?? "?"}`);
    for (const key of result.stopped) this.options.log(`[router] ${key}: stopped (its settings changed or were removed)`);
    if (result.started.length > 0 || result.stopped.length > 0) await this.report();
  }

  /** A built-in router for a place, at its stored weight before it listens. */
  private async build(config: RunnableRouterConfig, where: Place): Promise<ManagedRouter> {
    if (config.kind !== "builtin") throw new Error(`the router process runs built-in routers only, not ${config.kind}`);
    const key = placeKey(where);
    const router = new BuiltinRouter({
      listenPort: config.listenPort,
      host: this.options.host ?? "127.0.0.1",
      upstreams: { baseline: config.baselineUrl, canary: config.canaryUrl },
      sink: this.options.sink,
      ...(where.region ? { region: where.region } : {}),
    });
    const want = this.desired.get(key);
    if (want) router.serve(want.runId, want.percent);
    await router.start();
    const entry: Running = { router, place: where, at: want?.at ?? new Date().toISOString() };
    this.running.set(key, entry);
    return {
      router,
      stop: async () => {
        if (this.running.get(key) === entry) this.running.delete(key);
        await router.stop();
      },
    };
  }

  /** Reads the stored weights and applies those that changed; calls during a pass make one more pass. */
  private apply(): Promise<void> {
    if (this.applying) {
      this.applyAgain = true;
      return this.applying;
    }
    this.applying = (async () => {
      do {
        this.applyAgain = false;
        this.desired = await readDesiredWeights(this.options.db);
        let changed = false;
        for (const [key, r] of this.running) {
          const want = this.desired.get(key);
          const now = r.router.state();
          if (!want || (now.runId === want.runId && now.percent === want.percent)) continue;
          r.router.serve(want.runId, want.percent);
          r.at = new Date().toISOString();
          changed = true;
          this.options.log(`[router] ${key}: ${want.percent}% to the canary for run ${want.runId}`);
        }
        // Reported at once: the dashboard's verifyWeight is waiting for it.
        if (changed) await this.report();
      } while (this.applyAgain && !this.stopped);
    })().finally(() => {
      this.applying = null;
    });
    return this.applying;
  }

  /** LISTENs for weight announcements on a connection of its own; a lost one is reopened by the poll. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: "flightdeck-router-listen" });
    client.on("notification", (msg) => {
      if (msg.channel === ROUTER_WEIGHT_CHANNEL && !this.stopped) this.apply().catch((e: unknown) => this.options.onError("router.weights", e));
    });
    const drop = () => {
      if (this.listener === client) this.listener = null;
      client.end().catch(() => {});
    };
    client.on("error", (e) => {
      if (!this.stopped) this.options.onError("router.listen", e);
      drop();
    });
    client.on("end", drop);
    await client.connect();
    await client.query(`LISTEN ${ROUTER_WEIGHT_CHANNEL}`);
    this.listener = client;
  }
}
