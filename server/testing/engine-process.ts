/**
 * A bare engine process for durability tests: `tsx server/testing/engine-process.ts <url> [checkDelayMs]`.
 * Tests SIGKILL it mid-run and start another, as an operator's `kill -9` and restart would.
 */
import { runHook } from "../adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../adapters/checks/release-record-material.ts";
import { notConfiguredRunner } from "../adapters/checks/not-configured.ts";
import { MemoryNotifier, ScriptedCheckRunner } from "../adapters/memory.ts";
import { connectDb } from "../db/client.ts";
import { Engine } from "../engine/engine.ts";

const [url, delayArg] = process.argv.slice(2);
if (!url) throw new Error("usage: engine-process.ts <databaseUrl> [checkDelayMs]");
const delay = Number(delayArg ?? 0);
const checks = delay > 0 ? new ScriptedCheckRunner(() => ({ checks: [], summary: "slow scripted check", findings: [] }), delay) : notConfiguredRunner;

const engine = new Engine({
  runRollbackHook: runHook,
  readRecordMaterial,
  db: connectDb(url),
  publish: () => {},
  clock: () => Date.now(),
  notifier: new MemoryNotifier(),
  routerFor: () => null,
  checkRunnerFor: () => checks,
  checkTimeoutMs: 60_000,
  effectLeaseMs: 1_500,
  tickMs: 50,
  onError: (where, e) => console.error(where, e),
});
engine.start();
console.log("engine ready");
