/**
 * Metric ingest: sustained samples/s through POST /api/v1/metrics. The route's own handler
 * (app/api/v1/metrics/route.ts: token check against PostgreSQL, body limit, JSON + zod
 * validation, watched-run check, aggregator) behind a plain node:http server that turns each
 * request into a web Request as Next does, and an undici client posting 5,000-sample batches.
 */
import { createServer, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { Pool } from "undici";
import { POST } from "../app/api/v1/metrics/route.ts";
import { createApiToken } from "../server/services/api-tokens.ts";
import { createRun } from "../server/services/runs.ts";
import { makeService, makeUser } from "../server/testing/harness.ts";
import { mulberry32 } from "../server/core/analysis/simulate.ts";
import type { ControlRoom } from "./control-room.ts";
import { onCleanup } from "./lib.ts";

export type IngestFigures = { samples_per_s: number | null; notes: string[] };

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    // Required by undici's fetch for a streamed request body.
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

export async function benchIngest(room: ControlRoom, o: { batchSize: number; concurrency: number; durationMs: number; warmupMs: number }, log: (line: string) => void): Promise<IngestFigures> {
  const notes: string[] = [];
  const { db, engine, aggregator } = room;
  const admin = await makeUser(db, "admin");
  const service = await makeService(db);
  const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, admin, {
    serviceId: service.id,
    environment: "staging",
    targetVersion: "1.1.0",
    strategy: "canary",
    risk: "low",
    compliance: "none",
  });
  // What the analysis loop does for a run in its rollout: the aggregator watches it.
  aggregator.startStep(run.id, 0);
  const { token } = await createApiToken(db, admin, { name: "bench ingest", scopes: ["metrics:write"] });

  const server = createServer((req, res) => {
    POST(toRequest(req, "http://127.0.0.1"))
      .then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(body);
      })
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const closeServer = onCleanup("ingest server", () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const addr = server.address();
  const origin = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;

  // One realistic batch: 95% baseline, some errors, lognormal latencies; serialized once.
  const random = mulberry32(7);
  const samples = Array.from({ length: o.batchSize }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return {
      type: "request",
      side: random() < 0.05 ? "canary" : "baseline",
      status: random() < 0.002 ? 503 : 200,
      latencyMs: Math.round(9 * Math.exp(0.35 * z) * 100) / 100,
    };
  });
  const body = JSON.stringify({ runId: run.id, samples });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const pool = new Pool(origin, { connections: o.concurrency, keepAliveTimeout: 30_000 });
  const closePool = onCleanup("ingest client", () => pool.destroy());

  const phase = async (durationMs: number) => {
    let accepted = 0;
    let failed = 0;
    let lastError = "";
    const start = performance.now();
    const end = start + durationMs;
    const worker = async () => {
      while (performance.now() < end) {
        try {
          const res = await pool.request({ path: "/api/v1/metrics", method: "POST", headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
          const text = await res.body.text();
          if (res.statusCode === 202) accepted += (JSON.parse(text) as { accepted: number }).accepted;
          else {
            failed++;
            lastError = `${res.statusCode} ${text.slice(0, 200)}`;
          }
        } catch (e) {
          failed++;
          lastError = e instanceof Error ? e.message : String(e);
        }
        if (failed > 20) return;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return { accepted, failed, lastError, seconds: (performance.now() - start) / 1_000 };
  };
  const before = aggregator.totals(run.id)?.baseline.requests ?? 0;
  await phase(o.warmupMs);
  const measured = await phase(o.durationMs);
  const totals = aggregator.totals(run.id);
  const seen = (totals?.baseline.requests ?? 0) + (totals?.canary.requests ?? 0) - before;
  await closePool();
  await closeServer();
  const rate = measured.accepted / measured.seconds;
  log(`ingest: ${measured.accepted} samples accepted in ${measured.seconds.toFixed(1)} s (${Math.round(rate)}/s), ${measured.failed} failed`);
  notes.push(
    `ingest: route handler from app/api/v1/metrics/route.ts behind node:http (not Next), ${o.concurrency} concurrent undici uploads of ${o.batchSize}-sample batches ` +
      `(${(body.length / 1024).toFixed(0)} KiB JSON), token checked against PostgreSQL on every request; aggregator saw ${seen} samples in warm-up + measurement`,
  );
  if (measured.failed > 0) notes.push(`ingest: ${measured.failed} batches failed, last: ${measured.lastError}`);
  return { samples_per_s: measured.accepted > 0 ? rate : null, notes };
}
