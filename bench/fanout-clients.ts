/**
 * The viewers of the fan-out benchmark, in their own process:
 *   node --import tsx bench/fanout-clients.ts <url> <runId> <viewers>
 * Opens `viewers` socket.io clients (websocket transport, one connection each: forceNew), joins
 * each to the run's room with "run:join", reports `{ kind: "ready" }`, then records for every
 * event received the lag from the emit time embedded in it. On `{ kind: "finish" }` it reports
 * `{ kind: "result", ... }` and exits.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../server/realtime/event-map.ts";
import { epochMs, exitWithParent, quantileOf, sleep } from "./lib.ts";

const [url, runId, viewersArg] = process.argv.slice(2);
const viewers = Number(viewersArg);
if (!url || !runId || !Number.isInteger(viewers) || viewers < 1) {
  console.error("usage: fanout-clients.ts <url> <runId> <viewers>");
  process.exit(2);
}

type ViewerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const sockets: ViewerSocket[] = [];
const lags: number[] = [];
let unparsable = 0;
const EMITTED = /emittedAt=(\d+(?:\.\d+)?)/;

const onEvent = (summary: string) => {
  const now = epochMs();
  const m = EMITTED.exec(summary);
  if (m?.[1]) lags.push(now - Number(m[1]));
  else unparsable++;
};

exitWithParent(() => {
  for (const s of sockets) s.disconnect();
});

const connectOne = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket: ViewerSocket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 20_000 });
    sockets.push(socket);
    socket.on("run:changed", (e) => onEvent(e.summary));
    socket.on("run:analysis", (e) => onEvent(e.summary));
    socket.once("connect_error", (e) => reject(e));
    socket.once("connect", () => {
      socket.emit("run:join", runId, (r) => (r.ok ? resolve() : reject(new Error(r.error))));
    });
  });

const started = epochMs();
let failed = 0;
// Connect in waves, as a page full of viewers opening would; bounded by count and time.
for (let i = 0; i < viewers && epochMs() - started < 60_000; i += 50) {
  const wave = Array.from({ length: Math.min(50, viewers - i) }, () => connectOne());
  for (const r of await Promise.allSettled(wave)) if (r.status === "rejected") failed++;
}
process.send?.({ kind: "ready", joined: sockets.length - failed, failed, connectSeconds: (epochMs() - started) / 1_000 });

process.on("message", (m: unknown) => {
  if (typeof m !== "object" || m === null || (m as { kind?: unknown }).kind !== "finish") return;
  const expected = (m as { expected?: number }).expected ?? 0;
  void (async () => {
    // Whatever is still in flight gets a little time to land, bounded.
    for (let i = 0; i < 100 && lags.length < expected; i++) await sleep(20);
    process.send?.({
      kind: "result",
      received: lags.length,
      unparsable,
      p50: quantileOf(lags, 0.5),
      p99: quantileOf(lags, 0.99),
      max: quantileOf(lags, 1),
    });
  })();
});
