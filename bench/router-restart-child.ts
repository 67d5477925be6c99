/**
 * The control room's traffic side as server/main.ts starts it, in its own process so the bench
 * can SIGKILL it: the routers from the environments' settings (a built-in router on its fixed
 * port), the durable Engine, then the weight reconciler.
 *   node --import tsx bench/router-restart-child.ts <databaseUrl>
 * Reports `{ kind: "listening" }` once its routers serve traffic and `{ kind: "up" }` once the
 * engine and the reconciler run; exits with its parent.
 */
import { runHook } from "../server/adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../server/adapters/checks/release-record-material.ts";
import { notConfiguredRunner } from "../server/adapters/checks/not-configured.ts";
import { buildRouter } from "../server/adapters/routers/build-router.ts";
import { RouterRegistry } from "../server/adapters/routers/registry.ts";
import { connectDb, disconnectDb } from "../server/db/client.ts";
import { Engine } from "../server/engine/engine.ts";
import { WeightReconciler } from "../server/engine/weight-reconciler.ts";
import { MetricsAggregator } from "../server/metrics/aggregator.ts";
import { exitWithParent } from "./lib.ts";

const [databaseUrl] = process.argv.slice(2);
if (!databaseUrl) {
  console.error("usage: router-restart-child.ts <databaseUrl>");
  process.exit(2);
}
const db = connectDb(databaseUrl);
const onError = (where: string, e: unknown) => console.error(`[router-restart child] ${where}:`, e instanceof Error ? e.message : e);
const registry = new RouterRegistry();
const aggregator = new MetricsAggregator(() => Date.now());
const report = await registry.syncFromDb(db, (config) => buildRouter(config, { sink: aggregator }));
if (report.failed.length > 0) throw new Error(`routers did not start: ${JSON.stringify(report.failed)}`);
process.send?.({ kind: "listening" });

const engine = new Engine({
  runRollbackHook: runHook,
  readRecordMaterial,
  db,
  publish: () => undefined,
  clock: () => Date.now(),
  notifier: { notify: async () => [] },
  routerFor: (kind, target) => registry.routerFor(kind, target),
  checkRunnerFor: () => notConfiguredRunner,
  checkTimeoutMs: 10_000,
  tickMs: 250,
  onError,
});
engine.start();
const reconciler = new WeightReconciler({ db, routerFor: (kind, target) => registry.routerFor(kind, target), onError });
reconciler.start();
process.send?.({ kind: "up" });

exitWithParent(async () => {
  await reconciler.stop();
  await engine.stop();
  await registry.stopManaged();
  await disconnectDb();
});
