/**
 * One Flightdeck instance for the several-instances tests, without Next.js (whose build the tests
 * must not need): `node --import tsx server/testing/instance-process.ts <databaseUrl> <port> <authSecret>`.
 * It runs what main.ts runs for a cluster member — the engine, the analysis loop with its lease,
 * the metric forwarder, the cross-instance event bus, socket.io with real session auth — and serves
 * the real API v1 metrics route at POST /api/v1/metrics and event stream at GET /api/v1/runs/<id>/events. Prints `instance ready <id>` once listening.
 */
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { runHook } from "../adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../adapters/checks/release-record-material.ts";
import { notConfiguredRunner } from "../adapters/checks/not-configured.ts";
import { MemoryNotifier } from "../adapters/memory.ts";
import { setAppContext } from "../context.ts";
import { connectDb } from "../db/client.ts";
import { AnalysisLoop } from "../engine/analysis-loop.ts";
import { Engine } from "../engine/engine.ts";
import { metricsRoute } from "../http/api-v1-ingest.ts";
import { runEventsRoute } from "../http/api-v1.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { MetricsForwarder } from "../metrics/metrics-forwarder.ts";
import { ClusterBus } from "../realtime/cluster-bus.ts";
import { fanOut, runEventHub } from "../realtime/event-hub.ts";
import { attachRealtime, publisherFor } from "../realtime/socket-server.ts";
import { setRuntime } from "../runtime.ts";
import { InstancePresence } from "../services/instance-presence.ts";

const [url, portArg, authSecret] = process.argv.slice(2);
if (!url || !portArg || !authSecret) throw new Error("usage: instance-process.ts <databaseUrl> <port> <authSecret>");
const port = Number(portArg);
const publicUrl = `http://127.0.0.1:${port}`;
setRuntime({ databaseUrl: url, authSecret, publicUrl, testMode: true });
const db = connectDb(url);
const instanceId = `test-instance:${process.pid}:${randomUUID().slice(0, 8)}`;
const onError = (where: string, e: unknown) => console.error(`[instance ${process.pid}] ${where}:`, e);

/** The run's API event stream (SSE), streamed through to the Node response. */
function serveEvents(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, runId: string): void {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  runEventsRoute(new Request(`${publicUrl}${req.url ?? ""}`, { headers, signal: abort.signal }), { params: Promise.resolve({ id: runId }) })
    .then(async (r) => {
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "text/plain" });
      if (!r.body) return void res.end();
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
      res.end();
    })
    .catch(() => res.destroy());
}

const http = createServer((req, res) => {
  const events = /^\/api\/v1\/runs\/([0-9a-f-]{36})\/events$/.exec(req.url ?? "");
  if (req.method === "GET" && events?.[1]) return serveEvents(req, res, events[1]);
  if (req.method !== "POST" || req.url !== "/api/v1/metrics") return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    metricsRoute(new Request(`${publicUrl}${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }))
      .then(async (r) => {
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" }).end(await r.text());
      })
      .catch((e: unknown) => {
        onError("metrics route", e);
        res.writeHead(500).end();
      });
  });
});
const io = attachRealtime(http, db);
const aggregator = new MetricsAggregator(() => Date.now());
const bus = new ClusterBus({ databaseUrl: url, instanceId, deliver: fanOut(publisherFor(io), runEventHub().publish), onError });
await bus.start();
const forwarder = new MetricsForwarder({ db, aggregator, onError });
const engine = new Engine({
  runRollbackHook: runHook,
  readRecordMaterial,
  db,
  publish: bus.publish,
  clock: () => Date.now(),
  notifier: new MemoryNotifier(),
  routerFor: () => null,
  checkRunnerFor: () => notConfiguredRunner,
  checkTimeoutMs: 5_000,
  tickMs: 50,
  onError,
});
const analysis = new AnalysisLoop({ db, aggregator, dispatch: (runId, event) => engine.dispatch(runId, event), publish: bus.publish, clock: () => Date.now(), onError, lease: { owner: instanceId } });
setAppContext({ engine, globalHoldScale: 1, aggregator, forwarder, demo: null });
engine.start();
analysis.start();
forwarder.start();
const presence = new InstancePresence({ db, id: instanceId, address: publicUrl, onError });
presence.start();
await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));

process.on("SIGTERM", () => {
  void (async () => {
    await forwarder.stop().catch(() => {});
    await analysis.stop().catch(() => {});
    await engine.stop().catch(() => {});
    await presence.stop().catch(() => {});
    await bus.stop().catch(() => {});
    process.exit(0);
  })();
});
console.log(`instance ready ${instanceId}`);
