import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
// http-proxy rather than its fork http-proxy-3: same API, measured in one run of `npm run bench`
// here at 10.0k vs 7.3k req/s through the router (nginx: 16.7k), on the same machine.
import httpProxy from "http-proxy";
import type { RouteTarget, TrafficRouter } from "../../../engine/ports.ts";
import type { ObservationSink, Side } from "../../../metrics/types.ts";
import { chooseSide, SIDE_HEADER, sideCookie, stickySide } from "./stickiness.ts";

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

type Upstream = { url: URL; agent: Agent };

/** Per request: what `proxyRes` and the error callback need to know about it. */
type Exchange = { side: Side; percent: number; errorStatus?: number; timedOut: boolean };

// Connection-scoped headers (RFC 9110 §7.6.1). The proxy library only drops some of them; a client's
// `Connection: close` would otherwise close the pooled upstream socket after every request.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"];

/**
 * The built-in traffic router: a weighted, sticky reverse proxy in front of a baseline and a
 * canary, on http-proxy with a keep-alive agent per upstream (without keep-alive the proxy
 * opens a socket per request and throughput collapses: STACK.md, "Reverse proxy"). It observes
 * every request it proxies, so it doubles as the run's metric source.
 */
export class BuiltinRouter implements TrafficRouter {
  private readonly host: string;
  private readonly upstreams: Record<Side, Upstream>;
  private readonly proxy: httpProxy;
  private readonly exchanges = new WeakMap<IncomingMessage, Exchange>();
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
    const upstream = (base: string): Upstream => {
      const url = new URL(base);
      if (url.protocol !== "http:") throw new Error(`builtin router: upstream must be http:, got ${base}`);
      // `timeout` lets the agent honour the upstream's `Keep-Alive: timeout=N` hint and drop an
      // idle socket just before the upstream would; reusing one it already closed is a false 502.
      const agent = new Agent({ keepAlive: true, maxSockets: options.maxSocketsPerUpstream ?? 256, timeout: 60_000 });
      return { url, agent };
    };
    this.upstreams = { baseline: upstream(options.upstreams.baseline), canary: upstream(options.upstreams.canary) };
    // xfwd: the upstream sees the real client and can tell proxied requests from local ones
    // (the demo service refuses fault injection through the proxy).
    this.proxy = httpProxy.createProxyServer({ xfwd: true, proxyTimeout: this.timeoutMs });
    this.proxy.on("proxyReq", (proxyReq, req) => {
      proxyReq.once("timeout", () => {
        const exchange = this.exchanges.get(req);
        if (exchange) exchange.timedOut = true;
      });
    });
    this.proxy.on("proxyRes", (proxyRes, req) => {
      const exchange = this.exchanges.get(req);
      if (!exchange) return;
      // Added to the upstream's headers, not to `res`: the library copies these over `res`.
      proxyRes.headers[SIDE_HEADER] = exchange.side;
      const own = sideCookie(exchange.side, exchange.percent);
      const upstreamCookies = proxyRes.headers["set-cookie"] ?? [];
      proxyRes.headers["set-cookie"] = [...upstreamCookies, own];
    });
    // Errors without a per-call callback (the client's response stream) must not crash the process.
    this.proxy.on("error", (_err, _req, res) => {
      if ("destroy" in res) res.destroy();
    });
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
    this.upstreams.baseline.agent.destroy();
    this.upstreams.canary.agent.destroy();
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
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`weight must be 0–100, got ${percent}`);
    this.runId = target.runId;
    this.percent = percent;
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    return this.isListening() && this.runId === target.runId && this.percent === percent;
  }

  private isListening(): boolean {
    return this.server?.listening === true;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = this.clock();
    // Weight and run are read once, so a request that straddles a weight change is judged by
    // the weight that routed it.
    const percent = this.percent;
    const runId = this.runId;
    const side = chooseSide(percent, stickySide(req.headers), this.random);
    const exchange: Exchange = { side, percent, timedOut: false };
    this.exchanges.set(req, exchange);

    let observed = false;
    const observe = (status: number) => {
      if (observed) return;
      observed = true;
      if (runId !== null) this.options.sink.observeRequest({ runId, side, status, latencyMs: this.clock() - started });
    };
    res.once("finish", () => observe(exchange.errorStatus ?? res.statusCode));
    // A response cut off mid-body counts as the error it was. A client that hung up on a healthy
    // response is not observed: its truncated latency says nothing about the version.
    res.once("close", () => {
      if (exchange.errorStatus !== undefined) observe(exchange.errorStatus);
    });

    stripHopByHop(req);
    const upstream = this.upstreams[side];
    this.proxy.web(req, res, { target: upstream.url, agent: upstream.agent }, () => {
      const status = exchange.timedOut ? 504 : 502;
      exchange.errorStatus = status;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, {
        "content-type": "text/plain; charset=utf-8",
        [SIDE_HEADER]: side,
        "set-cookie": sideCookie(side, percent),
      });
      res.end(status === 504 ? `${side} did not answer in time\n` : `${side} is unreachable\n`);
    });
  }
}

function stripHopByHop(req: IncomingMessage): void {
  // Hot path: no arrays unless the client named extra connection-scoped headers.
  const connection = req.headers.connection;
  for (const name of HOP_BY_HOP) delete req.headers[name];
  if (!connection) return;
  for (const listed of connection.split(",")) {
    const name = listed.trim().toLowerCase();
    if (name && name !== "transfer-encoding") delete req.headers[name];
  }
}
