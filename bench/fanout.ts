/**
 * Fan-out: one run's room with many viewers. A plain socket.io server with the project's room
 * scheme and its own publisher (publisherFor from server/realtime/socket-server.ts), without the
 * session check; the viewers are socket.io-client websockets in a child process. Events carry
 * the time they were published; the lag is publish → receipt, on the machine's shared clock.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import { evaluateAll } from "../server/core/analysis/step-analysis.ts";
import { emptyTotals } from "../server/core/analysis/triggers.ts";
import { analysisFor } from "../server/core/policy.ts";
import { publisherFor, type RealtimeServer } from "../server/realtime/socket-server.ts";
import { epochMs, onCleanup, sleep, startChild } from "./lib.ts";

export type FanoutFigures = { viewers: number; p99_ms: number | null; notes: string[] };

const RUN_ID = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab";

const kindIs =
  <T extends object>(kind: string) =>
  (m: unknown): T | undefined =>
    typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === kind ? (m as T) : undefined;

export async function benchFanout(opts: { viewers: number; events: number; intervalMs: number }, log: (line: string) => void): Promise<FanoutFigures> {
  const notes: string[] = [];
  const http = createServer();
  const io: RealtimeServer = new Server(http, { serveClient: false, cors: { origin: false } });
  io.on("connection", (socket) => {
    socket.on("run:join", (runId, ack) => {
      if (typeof ack !== "function") return;
      void socket.join(`run:${runId}`);
      ack({ ok: true, seq: 0 });
    });
  });
  const closeServer = onCleanup("fanout socket.io server", async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = http.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const publish = publisherFor(io);

  const clients = startChild("fanout-clients.ts", [url, RUN_ID, String(opts.viewers)]);
  const ready = await clients.next(kindIs<{ joined: number; failed: number; connectSeconds: number }>("ready"), 90_000, "ready message");
  log(`fanout: ${ready.joined} viewers joined run:${RUN_ID.slice(0, 8)} in ${ready.connectSeconds.toFixed(1)} s (${ready.failed} failed)`);
  await sleep(500);

  // Realistic payloads: the run page's most frequent events, a status change and a full analysis.
  const analysis = evaluateAll(analysisFor("production"), emptyTotals());
  const evaluations = JSON.parse(JSON.stringify(analysis.evaluations, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))) as unknown[];
  for (let i = 0; i < opts.events; i++) {
    const summary = `${analysis.summary} emittedAt=${epochMs().toFixed(3)}`;
    if (i % 2 === 0) {
      publish({ kind: "runChanged", event: { runId: RUN_ID, seq: i + 1, status: "running", phase: "rollout", waitingFor: null, summary } });
    } else {
      publish({ kind: "analysis", event: { runId: RUN_ID, stepIndex: 0, at: new Date().toISOString(), verdict: analysis.verdict, summary, evaluations } });
    }
    await sleep(opts.intervalMs);
  }
  const expected = opts.events * ready.joined;
  const resultP = clients.next(kindIs<{ received: number; unparsable: number; p50: number | null; p99: number | null; max: number | null }>("result"), 30_000, "result");
  clients.send({ kind: "finish", expected });
  const result = await resultP;
  await clients.stop();
  await closeServer();
  notes.push(
    `fanout: ${opts.events} events (status changes and full analysis payloads, one per ${opts.intervalMs} ms) to ${ready.joined} websocket viewers: ` +
      `${result.received} of ${expected} received, lag p50 ${result.p50?.toFixed(1)} / p99 ${result.p99?.toFixed(1)} / max ${result.max?.toFixed(1)} ms ` +
      `(all viewers in one client process, which decodes every copy in turn: an upper bound on what separate browsers would see)`,
  );
  const complete = result.received >= expected && ready.joined === opts.viewers;
  if (!complete) notes.push(`fanout: incomplete (${ready.joined} of ${opts.viewers} joined, ${result.received} of ${expected} events received)`);
  return { viewers: ready.joined, p99_ms: result.received > 0 ? result.p99 : null, notes };
}
