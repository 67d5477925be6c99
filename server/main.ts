import { runHook } from "./adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "./adapters/checks/release-record-material.ts";
import { createServer } from "node:http";
import { CLIENT_ADDRESS_HEADER, clientAddress } from "./http/client-address.ts";
import next from "next";
import { env, oidcSettings } from "./env.ts";
import { connectDb, disconnectDb } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { dataPath, persistentSecret, randomSecret, resolveDatabase } from "./boot.ts";
import { setRuntime } from "./runtime.ts";
import { setAppContext } from "./context.ts";
import { Engine } from "./engine/engine.ts";
import { createCheckRunners } from "./adapters/checks/registry.ts";
import { logNotifier } from "./adapters/notify/log-notifier.ts";
import { WebhookNotifier } from "./adapters/notify/webhook-notifier.ts";
import type { Notifier } from "./engine/ports.ts";
import { attachRealtime, publisherFor } from "./realtime/socket-server.ts";
import { fanOut, runEventHub } from "./realtime/event-hub.ts";
import { ensureFirstAdmin, seedDemoService } from "./services/seed.ts";
import { seedDemoFleetService, startDemo } from "./services/demo.ts";
import { MetricsAggregator } from "./metrics/aggregator.ts";
import { AnalysisLoop } from "./engine/analysis-loop.ts";
import { PrometheusPoller } from "./metrics/prometheus-poller.ts";
import { WeightReconciler } from "./engine/weight-reconciler.ts";
import { RouterRegistry } from "./adapters/routers/registry.ts";
import { FlagRouter } from "./adapters/routers/flag/flag-router.ts";
import { buildRouter } from "./adapters/routers/build-router.ts";
import { externalRouter } from "./adapters/routers/external/external-router.ts";
import { isDatabaseDown } from "./errors.ts";
import { ClusterBus } from "./realtime/cluster-bus.ts";
import { MetricsForwarder } from "./metrics/metrics-forwarder.ts";
import { InstancePresence } from "./services/instance-presence.ts";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";

/**
 * The one Flightdeck process: database (embedded unless DATABASE_URL), migrations, Next.js,
 * socket.io on the same port, and the engine.
 */
async function main(): Promise<void> {
  const cfg = env();
  const started = Date.now();
  const database = await resolveDatabase(cfg);
  await migrateDatabase(database.ownerUrl);
  const databaseUrl = await database.appUrl();
  const publicUrl = cfg.PUBLIC_URL ?? `http://${cfg.HOST === "0.0.0.0" ? "localhost" : cfg.HOST}:${cfg.PORT}`;
  const authSecret = cfg.BETTER_AUTH_SECRET ?? persistentSecret(cfg, "auth-secret", () => randomSecret(48)).value;
  setRuntime({ databaseUrl, authSecret, publicUrl, testMode: cfg.FLIGHTDECK_TEST_MODE, oidc: oidcSettings(cfg) });
  const db = connectDb(databaseUrl);

  const admin = cfg.FLIGHTDECK_ADMIN_PASSWORD
    ? { value: cfg.FLIGHTDECK_ADMIN_PASSWORD, created: false }
    : persistentSecret(cfg, "first-admin-password", () => randomSecret(12));
  // Several instances starting together on an empty database race for the first admin: the loser finds it made.
  const adminCreated = await ensureFirstAdmin(db, cfg.FLIGHTDECK_ADMIN_EMAIL, admin.value).catch(async (e: unknown) => {
    if ((await db.user.count()) > 0) return false;
    throw e;
  });
  if (cfg.FLIGHTDECK_DEMO) {
    await seedDemoService(db);
    await seedDemoFleetService(db);
  }

  const dev = cfg.NODE_ENV === "development";
  const app = next({ dev, hostname: cfg.HOST, port: cfg.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustedProxies = new Set(cfg.FLIGHTDECK_TRUSTED_PROXIES.split(",").map((a) => a.trim()).filter(Boolean));
  const http = createServer((req, res) => {
    // Sign-in throttling keys on the client's address: set here from the socket (a client-sent
    // value is replaced), believing X-Forwarded-For only from the configured proxies.
    req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies);
    handle(req, res).catch((e: unknown) => {
      console.error("[flightdeck] request failed", e);
      if (!res.headersSent) res.writeHead(500).end("Internal error");
    });
  });
  // Longer than the idle timeout of the load balancers and clients in front (60 s is common): a
  // connection the server closes just as a client reuses it is a failed request (ECONNRESET, a 502
  // at the balancer). Node's default is 5 s. Headers must still arrive within their own timeout.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  const io = attachRealtime(http, db);

  let lastDbComplaint = 0;
  const onError = (where: string, e: unknown) => {
    // A database outage would log every tick; say it once every 10 s and keep going.
    if (isDatabaseDown(e)) {
      if (Date.now() - lastDbComplaint > 10_000) console.error(`[flightdeck] database unreachable (${where}); retrying`);
      lastDbComplaint = Date.now();
      return;
    }
    console.error(`[flightdeck] ${where}:`, e);
  };
  const webhook =
    cfg.FLIGHTDECK_NOTIFY_WEBHOOK_URL && cfg.FLIGHTDECK_NOTIFY_WEBHOOK_SECRET
      ? new WebhookNotifier({ url: cfg.FLIGHTDECK_NOTIFY_WEBHOOK_URL, secret: cfg.FLIGHTDECK_NOTIFY_WEBHOOK_SECRET, publicUrl, onError: (e) => onError("notify.webhook", e) })
      : null;
  // Every notification goes to the log; with a webhook configured, to the team's chat too.
  const notifier: Notifier = {
    async notify(n) {
      return [...(await logNotifier.notify(n)), ...((await webhook?.notify(n)) ?? [])];
    },
  };
  const registry = new RouterRegistry();
  registry.registerFlagRouter(new FlagRouter(db));
  const aggregator = new MetricsAggregator(() => Date.now());
  // Several instances may share the database (README, "Running several instances"): this one's id
  // names its analysis leases, its bus messages and its server_instance row.
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // The same events to the dashboard's sockets and to the API's event streams (SSE), on this
  // instance and, through the bus, on every other one.
  const bus = new ClusterBus({ databaseUrl, instanceId, deliver: fanOut(publisherFor(io), runEventHub().publish), onError });
  await bus.start();
  const publish = bus.publish;
  // Samples of runs another instance analyses are sent to it (the metric inbox).
  const forwarder = new MetricsForwarder({ db, aggregator, onError });
  const engine = new Engine({
    runRollbackHook: runHook,
    readRecordMaterial,
    db,
    publish,
    clock: () => Date.now(),
    notifier,
    routerFor: (kind, target) => registry.routerFor(kind, target),
    checkRunnerFor: createCheckRunners(cfg.FLIGHTDECK_CHROMIUM ? { chromiumPath: cfg.FLIGHTDECK_CHROMIUM } : {}),
    checkTimeoutMs: cfg.FLIGHTDECK_CHECK_TIMEOUT_MS,
    checkConcurrency: cfg.FLIGHTDECK_CHECK_CONCURRENCY,
    upstreamsFor: (service, environment) => registry.upstreams(service, environment),
    tickMs: cfg.FLIGHTDECK_TICK_MS,
    onError,
  });
  const analysis = new AnalysisLoop({
    db,
    aggregator,
    dispatch: (runId, event) => engine.dispatch(runId, event),
    publish,
    clock: () => Date.now(),
    onError,
    lease: { owner: instanceId },
  });
  // Environments with a Prometheus metric source feed the same aggregator the routers do; only the
  // run's analysis owner polls, so each window is counted once.
  const prometheus = new PrometheusPoller({ db, sink: aggregator, clock: () => Date.now(), onError, owns: (runId) => analysis.owns(runId) });
  const demo = cfg.FLIGHTDECK_DEMO
    ? await startDemo({ db, engine, aggregator: forwarder.sink, registry, globalHoldScale: cfg.FLIGHTDECK_HOLD_SCALE, rps: cfg.FLIGHTDECK_DEMO_RPS, routerPort: cfg.FLIGHTDECK_DEMO_PORT, regionPorts: cfg.FLIGHTDECK_DEMO_REGION_PORTS, autoRun: cfg.FLIGHTDECK_DEMO_AUTORUN, flagsOrigin: `http://${loopbackHost(cfg.HOST)}:${cfg.PORT}`, now: () => Date.now() }).catch((e: unknown) => {
        console.error("[flightdeck] demo fleet did not start:", e instanceof Error ? e.message : e);
        return null;
      })
    : null;
  // Routers configured in Settings; after the demo fleet, whose environment keeps its own router.
  const reloadRouters = async () => {
    const report = await registry.syncFromDb(db, (config, where) =>
      // FLIGHTDECK_ROUTER=external: `npm run router` runs the built-in routers; this process only writes their weights.
      cfg.FLIGHTDECK_ROUTER === "external" && config.kind === "builtin"
        ? Promise.resolve(externalRouter(db, where))
        : buildRouter(config, { sink: prometheus.routerSink(forwarder.sink), onVerifyError: (e) => onError("router.verify", e) }, where),
    );
    for (const key of report.started) console.log(`[flightdeck] router for ${key} started`);
    for (const key of report.stopped) console.log(`[flightdeck] router for ${key} stopped`);
  };
  await reloadRouters().catch((e: unknown) => onError("routers.sync", e));
  // Only now, with every router and the demo fleet registered: effects left from before a restart
  // (re-running agents, setting a weight) need the versions' addresses the routers know.
  engine.start();
  analysis.start();
  forwarder.start();
  prometheus.start();
  const presence = new InstancePresence({ db, id: instanceId, address: publicUrl, onError });
  presence.start();
  // After the engine: a router that forgot its weight (restarted with the process) gets the run's back.
  const reconciler = new WeightReconciler({ db, routerFor: (kind, target) => registry.routerFor(kind, target), onError });
  reconciler.start();
  setAppContext({ engine, globalHoldScale: cfg.FLIGHTDECK_HOLD_SCALE, aggregator, forwarder, demo: demo?.control ?? null, reloadRouters });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(cfg.PORT, cfg.HOST, resolve);
  });
  console.log(`\nFlightdeck is running at ${publicUrl}  (pid ${process.pid}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`Database: ${database.embedded ? `embedded PostgreSQL in ${dataPath(cfg, "pg")}` : "DATABASE_URL"}`);
  if (cfg.FLIGHTDECK_ROUTER === "external") console.log("Built-in routers: run by `npm run router` (FLIGHTDECK_ROUTER=external); this process writes their weights to the database");
  if (demo) console.log(`Demo fleet: storefront ${demo.url} (${cfg.FLIGHTDECK_DEMO_RPS} req/s through the built-in router); its staging canary is on the runs page`);
  if (adminCreated || !cfg.FLIGHTDECK_ADMIN_PASSWORD) {
    console.log(`Sign in as ${cfg.FLIGHTDECK_ADMIN_EMAIL} with the password in ${dataPath(cfg, "first-admin-password")}${adminCreated ? `: ${admin.value}` : ""}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Flightdeck…`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await reconciler.stop().catch(() => {});
    prometheus.stop();
    await forwarder.stop().catch(() => {});
    // Releases this instance's analysis leases: another instance takes the runs within a second.
    await analysis.stop().catch(() => {});
    await engine.stop().catch(() => {});
    await demo?.stop().catch(() => {});
    await registry.stopManaged().catch(() => {});
    await presence.stop().catch(() => {});
    await bus.stop().catch(() => {});
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await app.close().catch(() => {});
    await disconnectDb().catch(() => {});
    await database.embedded?.stop().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // One bad request must never take the control room down.
  process.on("unhandledRejection", (e) => console.error("[flightdeck] unhandled rejection", e));
}

/** Where processes on this machine reach the server (the demo storefront reads its flag over OFREP). */
function loopbackHost(host: string): string {
  if (host === "0.0.0.0" || host === "localhost") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

main().catch((e: unknown) => {
  console.error("Flightdeck failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
