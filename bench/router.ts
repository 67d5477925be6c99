/**
 * Router overhead: the built-in router's added p99 at a moderate fixed rate, and its maximum
 * throughput next to Debian's nginx (the project's NginxRouter) in front of the same upstream.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { NginxRouter } from "../server/adapters/routers/nginx/nginx-router.ts";
import { closedLoop, fixedRateAlternating } from "./load.ts";
import { cpuSecondsOf, freePort, nginxWorkers, onCleanup, quantileOf, startChild } from "./lib.ts";

export const NGINX_BINARY = "/usr/sbin/nginx";

/** The young generation `npm run router` gives Node (package.json): the bench measures the router as it is run. */
const ROUTER_NODE_FLAGS = ["--min-semi-space-size=16", "--max-semi-space-size=32"];

export type RouterFigures = {
  added_p99_ms: number | null;
  /** nginx in front of the same upstream, measured in the same alternating blocks: the yardstick. */
  nginx_added_p99_ms: number | null;
  rps: number | null;
  nginx_rps: number | null;
  notes: string[];
};

const isListening = (m: unknown) =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "listening" ? (m as { kind: "listening"; ports?: number[]; url?: string }) : undefined;

export async function benchRouter(opts: { rate: number; blockMs: number; blocksEach: number; connections: number; throughputMs: number }, log: (line: string) => void): Promise<RouterFigures> {
  const notes: string[] = [];
  const upstream = startChild("upstream-child.ts");
  const ports = (await upstream.next(isListening, 20_000, "listening message")).ports ?? [];
  const [basePort, canaryPort] = ports;
  if (!basePort || !canaryPort) throw new Error("upstream did not report its ports");
  const direct = `http://127.0.0.1:${basePort}`;
  const router = startChild("router-child.ts", [direct, `http://127.0.0.1:${canaryPort}`], ROUTER_NODE_FLAGS);
  const routerUrl = (await router.next(isListening, 20_000, "listening message")).url;
  if (!routerUrl) throw new Error("router did not report its address");

  let nginxUrl: string | null = null;
  let nginxPids: () => number[] = () => [];
  if (existsSync(NGINX_BINARY)) {
    try {
      const prefix = await mkdtemp(path.join(os.tmpdir(), "flightdeck-bench-nginx-"));
      const nginx = new NginxRouter({ prefix, listenPort: await freePort(), upstreams: { baseline: `127.0.0.1:${basePort}`, canary: `127.0.0.1:${canaryPort}` } });
      onCleanup("nginx", async () => {
        await nginx.stop();
        await rm(prefix, { recursive: true, force: true });
      });
      await nginx.setWeight({ runId: "bench-router", service: "bench", environment: "production", baseline: "1.0.0", canary: "1.1.0" }, 5);
      nginxUrl = nginx.url;
      nginxPids = () => {
        const master = Number(readFileSync(path.join(prefix, "logs", "nginx.pid"), "utf8").trim());
        return Number.isInteger(master) && master > 0 ? [master, ...nginxWorkers(master)] : [];
      };
    } catch (e) {
      notes.push(`nginx_rps null: nginx did not start: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  } else {
    notes.push(`nginx_rps null: ${NGINX_BINARY} is absent (apt-get install -y nginx)`);
  }

  // Added latency: the same upstream directly and through the router, alternating 1 s blocks.
  log(`router: ${opts.rate} req/s open loop, direct vs built-in router${nginxUrl ? " vs nginx" : ""}, ${opts.blocksEach} × ${opts.blockMs} ms blocks each`);
  router.send({ kind: "reset" });
  const [d, r, n] = await fixedRateAlternating(nginxUrl ? [direct, routerUrl, nginxUrl] : [direct, routerUrl], { rps: opts.rate, blockMs: opts.blockMs, blocksEach: opts.blocksEach, path: "/api/checkout" });
  if (!d || !r) throw new Error("no latency results");
  const p = (x: number[], q: number) => quantileOf(x, q) ?? NaN;
  const dP99 = p(d.latenciesMs, 0.99);
  const rP99 = p(r.latenciesMs, 0.99);
  notes.push(
    `router latency at ${opts.rate} req/s: direct p50 ${p(d.latenciesMs, 0.5).toFixed(2)} / p99 ${dP99.toFixed(2)} ms (${d.ok} ok, ${d.failed} failed, ${d.skipped} skipped); ` +
      `via router p50 ${p(r.latenciesMs, 0.5).toFixed(2)} / p99 ${rP99.toFixed(2)} ms (${r.ok} ok, ${r.failed} failed, ${r.skipped} skipped)` +
      (n ? `; via nginx p50 ${p(n.latenciesMs, 0.5).toFixed(2)} / p99 ${p(n.latenciesMs, 0.99).toFixed(2)} ms (${n.ok} ok, ${n.failed} failed, ${n.skipped} skipped)` : ""),
  );
  const nginxAdded = n && n.ok > 0 && n.failed === 0 && d.failed === 0 ? p(n.latenciesMs, 0.99) - dP99 : null;
  const statsP = router.next(
    (m) => (typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "stats" ? (m as { loopDelayP99Ms: number; loopDelayMaxMs: number; gcCount: number; gcTotalMs: number; gcMaxMs: number }) : undefined),
    5_000,
    "stats",
  ).catch(() => null);
  router.send({ kind: "stats" });
  const stats = await statsP;
  if (stats) {
    notes.push(
      `router process during that measurement: event-loop delay p99 ${stats.loopDelayP99Ms.toFixed(2)} ms, max ${stats.loopDelayMaxMs.toFixed(1)} ms; ` +
        `${stats.gcCount} GC pauses, longest ${stats.gcMaxMs.toFixed(2)} ms, ${stats.gcTotalMs.toFixed(0)} ms in all`,
    );
  }
  const added = d.ok > 0 && r.ok > 0 && d.failed === 0 && r.failed === 0 ? rP99 - dP99 : null;
  if (added === null) notes.push("added_p99_ms null: requests failed during the latency measurement");

  // Throughput: closed loop, same client, same upstream, one after the other.
  // CPU seconds of each process over the run (warm-up included): where the two cores went.
  const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  const selfCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const upstreamPid = upstream.child.pid ?? -1;
  const tp = async (name: string, origin: string, pids: () => number[]) => {
    const before = { self: selfCpu(), upstream: cpuOf([upstreamPid]), router: cpuOf(pids()), at: performance.now() };
    const res = await closedLoop(origin, { connections: opts.connections, durationMs: opts.throughputMs, path: "/api/checkout" });
    const wall = (performance.now() - before.at) / 1_000;
    const cores = (x: number) => (x / wall).toFixed(2);
    const routerCpu = cpuOf(pids()) - before.router;
    const perRequestUs = pids().length > 0 && res.rps > 0 ? (routerCpu / wall / res.rps) * 1e6 : null;
    const usage =
      `cores busy: load generator ${cores(selfCpu() - before.self)}, upstream ${cores(cpuOf([upstreamPid]) - before.upstream)}` +
      (pids().length > 0 ? `, ${name} ${cores(routerCpu)} (≈${perRequestUs?.toFixed(0)} µs CPU per request)` : "");
    log(`router: ${name} ${Math.round(res.rps)} req/s (${res.ok} ok, ${res.failed} failed in ${res.seconds.toFixed(1)} s); ${usage}`);
    return { ...res, usage };
  };
  const directTp = await tp("direct", direct, () => []);
  const builtinTp = await tp("built-in router", routerUrl, () => (router.child.pid ? [router.child.pid] : []));
  const nginxTp = nginxUrl ? await tp("nginx", nginxUrl, nginxPids) : null;
  notes.push(`throughput CPU: built-in: ${builtinTp.usage}${nginxTp ? `; nginx: ${nginxTp.usage}` : ""}`);
  notes.push(
    `throughput, ${opts.connections} keep-alive connections, ${opts.throughputMs / 1000} s each: direct ${Math.round(directTp.rps)}, built-in ${Math.round(builtinTp.rps)}, nginx ${nginxTp ? Math.round(nginxTp.rps) : "n/a"} req/s ` +
      `(${os.cpus().length} cores: the undici load generator, the router and the upstream share them, so every figure is lower than a dedicated load host would show)`,
  );
  await router.stop();
  await upstream.stop();
  return {
    added_p99_ms: added,
    nginx_added_p99_ms: nginxAdded,
    rps: builtinTp.failed === 0 ? builtinTp.rps : builtinTp.ok > 0 ? builtinTp.rps : null,
    nginx_rps: nginxTp ? nginxTp.rps : null,
    notes,
  };
}
