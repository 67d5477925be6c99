import { SUB_CHECK } from "../../../core/success-criteria.ts";
import type { CheckRunner } from "../../../engine/ports.ts";
import { runSubChecks, type SubCheck } from "../sub-checks.ts";
import { checkBundle } from "./bundle.ts";
import { ZSystemsConfig, type TSystemsConfig } from "./config.ts";
import { checkDatabasePool } from "./database-pool.ts";
import { checkLoadTest } from "./load-test.ts";
import { checkMemoryOverWindow, checkMemoryUnderLoad, type MemoryWatch } from "./memory.ts";

/**
 * The systems-engineer agent: load test against the SLA, memory growth (sampled during the load
 * test when there is one), asset budgets and the database pool against the connection limit,
 * one after the other with progress and log lines (see runSubChecks for how the outcome is decided).
 */
export const systemsRunner: CheckRunner = { run: (ctx) => runSubChecks(ctx, { label: "systems-engineer", schema: ZSystemsConfig, subChecks }) };

function subChecks(config: TSystemsConfig): SubCheck[] {
  const { loadTest, memory, bundle, databasePool } = config;
  // Memory is watched while the load runs: the load test fills this in, the memory sub-check judges it.
  const watch: MemoryWatch | undefined = memory === undefined ? undefined : { config: memory, underLoad: { state: "pending" } };
  return [
    { name: SUB_CHECK.loadTest, run: loadTest === undefined ? null : (sub) => checkLoadTest(loadTest, sub, watch) },
    { name: "memory growth", run: watch === undefined ? null : loadTest === undefined ? (sub) => checkMemoryOverWindow(watch.config, sub) : async () => checkMemoryUnderLoad(watch) },
    { name: "asset budgets", run: bundle === undefined ? null : (sub) => checkBundle(bundle, sub) },
    { name: "database pool", run: databasePool === undefined ? null : (sub) => checkDatabasePool(databasePool, sub) },
  ];
}
