import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";
import { NO_FAULT, TAIL_SHARE, ZFault, type TFault } from "./fault.ts";

/** How to build the demo checkout service. */
export type SampleAppOptions = {
  /** The version this process plays, shown on its page and in its metrics. */
  version: string;
  /** Uniform [0, 1) draw for work time and faults; default `Math.random`. */
  random?: () => number;
  /** The release's own home page and the headers it is served with; default a plain page. */
  site?: { html: string; headers: Record<string, string> };
};

/** The demo checkout service: a request handler plus the timer its memory fault runs on. */
export type SampleApp = {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops the memory fault's timer and frees what it held. */
  close(): void;
};

// Simulated work: lognormal around 9 ms (most requests 5–20 ms), like a handler waiting on a
// database, so that p95/p99 have a realistic spread for the analysis to compare.
const WORK_MEDIAN_MS = 9;
const WORK_SIGMA = 0.35;
// A leak stops here; the demo should show a memory trigger, not take the machine down.
const LEAK_CAP_BYTES = 1024 * 1024 * 1024;
const MAX_BODY_BYTES = 16 * 1024;

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Creates the demo checkout service for one version. */
export function createSampleApp(options: SampleAppOptions): SampleApp {
  const random = options.random ?? Math.random;
  const version = options.version;
  const requestMetrics = createRequestMetrics();
  let fault: TFault = NO_FAULT;
  let leaked: Buffer[] = [];
  let leakedBytes = 0;
  let leakTimer: NodeJS.Timeout | null = null;

  const setFault = (next: TFault) => {
    fault = next;
    if (leakTimer) clearInterval(leakTimer);
    leakTimer = null;
    // Clearing the fault is the "fix": the leaked memory is released with it.
    leaked = [];
    leakedBytes = 0;
    if (next.memoryMbPerMin > 0) {
      const perSecond = Math.round((next.memoryMbPerMin * 1024 * 1024) / 60);
      leakTimer = setInterval(() => {
        if (leakedBytes + perSecond > LEAK_CAP_BYTES) return;
        // alloc (not allocUnsafe) writes every page, so the growth shows in resident memory.
        leaked.push(Buffer.alloc(perSecond, 1));
        leakedBytes += perSecond;
      }, 1_000);
      leakTimer.unref();
    }
  };

  const workMs = () => {
    // Box–Muller: a standard normal from two uniform draws.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.min(200, WORK_MEDIAN_MS * Math.exp(WORK_SIGMA * z));
  };
  const faultDelayMs = () => {
    if (fault.latencyMs <= 0) return 0;
    return fault.latencyMode === "all" || random() < TAIL_SHARE ? fault.latencyMs : 0;
  };

  const app = async (req: IncomingMessage, res: ServerResponse, route: string) => {
    const method = req.method ?? "GET";
    if (route === "/healthz" && method === "GET") return json(res, 200, { status: "ok", version });
    if (route === "/metrics" && method === "GET") return text(res, 200, await metrics(version, requestMetrics.registry, leakedBytes), "text/plain; version=0.0.4");
    if (route === "/__fault") {
      // Fault injection is for the operator on this machine: never from another host, and
      // never through the router (which sets x-forwarded-for), whose clients may be anyone.
      if (!LOOPBACK.has(req.socket.remoteAddress ?? "") || req.headers["x-forwarded-for"] !== undefined) {
        return json(res, 403, { error: "fault injection is only accepted from loopback, not through a proxy" });
      }
      if (method === "GET") return json(res, 200, fault);
      if (method === "DELETE") {
        setFault(NO_FAULT);
        return json(res, 200, fault);
      }
      if (method === "POST") {
        const body = await readBody(req);
        if (body === null) return json(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
        let raw: unknown;
        try {
          raw = JSON.parse(body);
        } catch {
          return json(res, 400, { error: "body is not JSON" });
        }
        const parsed = ZFault.safeParse(raw);
        if (!parsed.success) return json(res, 400, { error: "invalid fault", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
        setFault(parsed.data);
        return json(res, 200, fault);
      }
      return json(res, 405, { error: "use GET, POST or DELETE" });
    }
    if ((route === "/" || route === "/api/checkout") && method === "GET") {
      await sleep(workMs() + faultDelayMs());
      if (fault.errorRate > 0 && random() < fault.errorRate) return json(res, 500, { error: "injected fault", version });
      if (route === "/") {
        if (!options.site) return text(res, 200, page(version), "text/html; charset=utf-8");
        for (const [name, value] of Object.entries(options.site.headers)) res.setHeader(name, value);
        return text(res, 200, options.site.html, "text/html; charset=utf-8");
      }
      const items = 1 + Math.floor(random() * 4);
      return json(res, 200, { ok: true, version, items, totalCents: items * 1_299 });
    }
    return json(res, 404, { error: "not found" });
  };

  return {
    handle(req, res) {
      const route = routeOf(req.url);
      const started = performance.now();
      res.once("finish", () => {
        const status = String(res.statusCode);
        requestMetrics.served.inc({ route, status });
        requestMetrics.duration.observe({ version, route, status }, (performance.now() - started) / 1000);
      });
      app(req, res, route).catch(() => {
        if (!res.headersSent) json(res, 500, { error: "internal error" });
        else res.destroy();
      });
    },
    close() {
      setFault(NO_FAULT);
    },
  };
}

/** The route label for metrics: known paths, everything else "other" (bounded cardinality). */
function routeOf(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  return ["/", "/api/checkout", "/healthz", "/metrics", "/__fault"].includes(path) ? path : "other";
}

/**
 * The request histogram's bounds, seconds. Fine around the demo's 5–20 ms work time and up to its
 * fault delays: a latency fault has to move requests into other buckets for an analysis fed from
 * Prometheus to see it (server/core/analysis/histogram-window.ts).
 */
export const DURATION_BUCKETS_S = [0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10];

/**
 * The request metrics with prom-client, in a registry of this app's own (several apps may share a
 * process in tests). The histogram carries the version, so a Prometheus that scrapes both versions
 * can tell the canary from the baseline; its _count is the request counter Flightdeck's default
 * queries read. `http_requests_total` keeps its labels (route, status) for the existing scrapers.
 */
function createRequestMetrics() {
  const registry = new Registry();
  const served = new Counter({ name: "http_requests_total", help: "Requests served, by route and status.", labelNames: ["route", "status"] as const, registers: [registry] });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer a request, by version, route and status code.",
    labelNames: ["version", "route", "status"] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  return { registry, served, duration };
}

async function metrics(version: string, registry: Registry, leakedBytes: number): Promise<string> {
  const cpu = process.cpuUsage();
  const lines = [
    "# HELP process_resident_memory_bytes Resident memory size in bytes.",
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
    "# TYPE process_cpu_seconds_total counter",
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    "# HELP demo_fault_leaked_bytes Memory held by an injected memory fault.",
    "# TYPE demo_fault_leaked_bytes gauge",
    `demo_fault_leaked_bytes ${leakedBytes}`,
    "# HELP demo_build_info The version this process serves.",
    "# TYPE demo_build_info gauge",
    `demo_build_info{version="${version.replace(/["\\\n]/g, "_")}"} 1`,
  ];
  return `${lines.join("\n")}\n${await registry.metrics()}`;
}

function page(version: string): string {
  const v = version.replace(/[<>&"']/g, "");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Checkout ${v}</title></head>
<body><main><h1>Checkout</h1><p>Version <strong data-version>${v}</strong></p></main></body>
</html>
`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  text(res, status, JSON.stringify(body), "application/json");
}

function text(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The request body as text, or null when it is larger than the limit. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
