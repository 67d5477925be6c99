/**
 * The viewers of the cluster bench, in their own process:
 *   node --import tsx bench/cluster-clients.ts <balancerUrl> <runId> <viewers> <cookie>
 * Opens `viewers` signed-in socket.io clients through the balancer (round robin spreads them over
 * the instances), joins each to the run's room, and on a lost connection reconnects and joins
 * again, as the run page does. Records every run:changed seq per viewer and the publish → receipt
 * lag from the emit time in the summary. On `{ kind: "finish", seqs }` it reports how many of
 * those seqs each viewer is missing; a viewer that reconnected refetches what it missed since its
 * last seen seq (the join answers the run's seq), so only seqs missing after its rejoin count.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../server/realtime/event-map.ts";
import { epochMs, exitWithParent, quantileOf, sleep } from "./lib.ts";

const [url, runId, viewersArg, cookie] = process.argv.slice(2);
const viewers = Number(viewersArg);
if (!url || !runId || !Number.isInteger(viewers) || viewers < 1 || !cookie) {
  console.error("usage: cluster-clients.ts <url> <runId> <viewers> <cookie>");
  process.exit(2);
}

type ViewerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Viewer = { socket: ViewerSocket; seen: Set<number>; gaps: [number, number][]; lostAt: number | null; reconnects: number };
const all: Viewer[] = [];
const lags: number[] = [];
const EMITTED = /emittedAt=(\d+(?:\.\d+)?)/;

exitWithParent(() => {
  for (const v of all) v.socket.disconnect();
});

const connectOne = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket: ViewerSocket = io(url, { transports: ["websocket"], forceNew: true, extraHeaders: { cookie }, reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 1_000, timeout: 20_000 });
    const v: Viewer = { socket, seen: new Set(), gaps: [], lostAt: null, reconnects: 0 };
    all.push(v);
    socket.on("run:changed", (e) => {
      if (e.runId !== runId) return;
      v.seen.add(e.seq);
      const m = EMITTED.exec(e.summary);
      if (m?.[1]) lags.push(epochMs() - Number(m[1]));
    });
    // Every run event carries the run's seq, whatever its kind.
    const note = (e: { runId: string; seq?: number }) => {
      if (e.runId === runId && typeof e.seq === "number") v.seen.add(e.seq);
    };
    socket.on("run:log", note);
    socket.on("run:progress", note);
    socket.on("run:notification", note);
    socket.on("run:metrics", note);
    socket.on("run:analysis", note);
    socket.on("disconnect", () => {
      v.lostAt = Math.max(0, ...[...v.seen].filter((x) => x < 1_000_000));
    });
    socket.io.on("reconnect", () => {
      v.reconnects++;
      socket.emit("run:join", runId, (r) => {
        // The page refetches (lastSeen, seq at rejoin]: those are recovered, not lost.
        if (r.ok && v.lostAt !== null) v.gaps.push([v.lostAt, r.seq]);
      });
    });
    socket.once("connect_error", (e) => reject(e));
    socket.once("connect", () => {
      socket.emit("run:join", runId, (r) => (r.ok ? resolve() : reject(new Error(r.error))));
    });
  });

const started = epochMs();
let failed = 0;
for (let i = 0; i < viewers && epochMs() - started < 90_000; i += 50) {
  const wave = Array.from({ length: Math.min(50, viewers - i) }, () => connectOne());
  for (const r of await Promise.allSettled(wave)) if (r.status === "rejected") failed++;
}
process.send?.({ kind: "ready", joined: all.length - failed, failed, connectSeconds: (epochMs() - started) / 1_000 });

process.on("message", (m: unknown) => {
  if (typeof m !== "object" || m === null || (m as { kind?: unknown }).kind !== "finish") return;
  const seqs = (m as { seqs?: number[] }).seqs ?? [];
  void (async () => {
    const missing = () =>
      all.reduce((n, v) => n + seqs.filter((s) => !v.seen.has(s) && !v.gaps.some(([a, b]) => s > a && s <= b)).length, 0);
    for (let i = 0; i < 150 && missing() > 0; i++) await sleep(20);
    process.send?.({
      kind: "result",
      lost: missing(),
      reconnected: all.filter((v) => v.reconnects > 0).length,
      received: lags.length,
      p50: quantileOf(lags, 0.5),
      p99: quantileOf(lags, 0.99),
      max: quantileOf(lags, 1),
    });
  })();
});
