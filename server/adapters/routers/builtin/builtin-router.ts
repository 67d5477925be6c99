import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
// undici's Pool rather than http-proxy on node:http's Agent: measured in one run of
// `npm run bench -- --only router` on this 2-core machine, 12.2k req/s through the router against
// nginx's 13.6k (90%; http-proxy: 8.9k, 71%), 71 µs of CPU per request instead of 111 µs.
import { Pool, type Dispatcher } from "undici";
import type { RouteTarget, ServedWeight, TrafficRouter } from "../../../engine/ports.ts";
import type { ObservationSink, Side } from "../../../metrics/types.ts";
import { Exchange } from "./exchange.ts";
import { forwardRequest } from "./headers.ts";
import { chooseSide } from "./stickiness.ts";

/** How to build a built-in router. */
export type BuiltinRouterOptions = {
  /** TCP port to listen on; 0 picks a free one (read it back with `address()`). */
  listenPort: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Base URLs of the two versions, e.g. `http://127.0.0.1:4001`. */
  upstreams: Record<Side, string>;
  /** Receives one observation per proxied request while a run is active. */
  sink: ObservationSink;
  /** the region this router serves (a region's own router): its observations say so */
  region?: string;
  /** Monotonic milliseconds used for latencies; default `performance.now` (sub-millisecond). */
  clock?: () => number;
  /** Uniform [0, 1) draw that places new clients; default `Math.random`. */
  random?: () => number;
  /** An upstream that has not answered after this long gets the client a 504. Default 10 s. */
  upstreamTimeoutMs?: number;
  /** Keep-alive connections per upstream. Default 256. */
  maxSocketsPerUpstream?: number;
};

/** Where the router listens once started. */
export type RouterAddress = { host: string; port: number; url: string };

/** What the router does now: the run its observations belong to and the canary's share. */
export type RouterState = { runId: string | null; percent: number; listening: boolean };

type Upstream = { origin: string; pool: Pool };
type PoolOptions = ConstructorParameters<typeof Pool>[1];

/**
 * The built-in traffic router: a weighted, sticky reverse proxy in front of a baseline and a
 * canary, forwarding over a keep-alive undici Pool per upstream (without keep-alive a proxy
 * opens a socket per request and throughput collapses: STACK.md, "Reverse proxy"). It observes
 * every request it proxies, so it doubles as the run's metric source.
 */
export class BuiltinRouter implements TrafficRouter {
  private readonly host: string;
  private upstreams: Record<Side, Upstream>;
  private readonly poolOptions: PoolOptions;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private server: Server | null = null;
  private percent = 0;
  private runId: string | null = null;

  constructor(private readonly options: BuiltinRouterOptions) {
    this.host = options.host ?? "127.0.0.1";
    this.clock = options.clock ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.upstreamTimeoutMs ?? 10_000;
    // keepAliveTimeoutThreshold: drop an idle socket a second before the upstream's own
    // `Keep-Alive: timeout=N` would; reusing one it already closed is a false 502.
    this.poolOptions = {
      connections: options.maxSocketsPerUpstream ?? 256,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 60_000,
      keepAliveTimeoutThreshold: 1_000,
    };
    this.upstreams = this.openUpstreams();
  }

  /** A pool per upstream; a stopped router's pools are closed, so `start()` opens new ones. */
  private openUpstreams(): Record<Side, Upstream> {
    const upstream = (base: string): Upstream => {
      const url = new URL(base);
      if (url.protocol !== "http:") throw new Error(`builtin router: upstream must be http:, got ${base}`);
      return { origin: url.origin, pool: new Pool(url.origin, this.poolOptions) };
    };
    return { baseline: upstream(this.options.upstreams.baseline), canary: upstream(this.options.upstreams.canary) };
  }

  /** Listens on the configured host and port. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    // Longer than clients' idle pools so that the proxy is not the side that drops a reused socket.
    server.keepAliveTimeout = 65_000;
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.options.listenPort, this.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      this.server = null;
      throw e;
    }
  }

  /** Stops listening, ends idle connections at once and busy ones after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(force);
    const { baseline, canary } = this.upstreams;
    this.upstreams = this.openUpstreams();
    await Promise.all([baseline.pool.destroy(), canary.pool.destroy()]);
  }

  /** Where the router listens, or null before `start()` and after `stop()`. */
  address(): RouterAddress | null {
    const addr = this.server?.address();
    if (!addr || typeof addr === "string") return null;
    const { address, port } = addr;
    return { host: address, port, url: `http://${address.includes(":") ? `[${address}]` : address}:${port}` };
  }

  /** The run observations are attributed to and the canary's share of new clients. */
  state(): RouterState {
    return { runId: this.runId, percent: this.percent, listening: this.isListening() };
  }

  async setWeight(target: RouteTarget, percent: number): Promise<void> {
    this.serve(target.runId, percent);
  }

  /** Sends `percent` of new clients to the canary and counts observations for `runId` (the router process applies stored weights this way). */
  serve(runId: string | null, percent: number): void {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`weight must be 0–100, got ${percent}`);
    this.runId = runId;
    this.percent = percent;
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    return this.isListening() && this.runId === target.runId && this.percent === percent;
  }

  /** Its in-memory split: a router that started afresh serves no run and 0% to the canary. Null when not listening. */
  async servedWeight(): Promise<ServedWeight | null> {
    return this.isListening() ? { runId: this.runId, percent: this.percent } : null;
  }

  private isListening(): boolean {
    return this.server?.listening === true;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = this.clock();
    const forward = forwardRequest(req);
    // Weight and run are read once, so a request that straddles a weight change is judged by
    // the weight that routed it.
    const percent = this.percent;
    const side = chooseSide(percent, forward.sticky, this.random);
    const method = (req.method ?? "GET") as Dispatcher.HttpMethod;
    const hasBody = method !== "GET" && method !== "HEAD";
    const exchange = new Exchange({ req, res, side, percent, runId: this.runId, region: this.options.region, hasBody, started, clock: this.clock, sink: this.options.sink });
    this.upstreams[side].pool.dispatch({ path: req.url ?? "/", method, headers: forward.headers, body: hasBody ? req : null }, exchange);
  }
}
