import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";
import { randomUUID } from "node:crypto";
import { NO_FAULT, TAIL_SHARE, ZFault, type TFault } from "./fault.ts";
import type { CheckoutFlag, CheckoutReading } from "./checkout-flag.ts";

/** How to build the demo checkout service. */
export type SampleAppOptions = {
  /** The version this process plays, shown on its page and in its metrics. */
  version: string;
  /** Uniform [0, 1) draw for work time and faults; default `Math.random`. */
  random?: () => number;
  /** The release's own home page and the headers it is served with; default a plain page. */
  site?: { html: string; headers: Record<string, string> };
  /**
   * Issue 15: the `new-checkout` flag read through OpenFeature for each user (demo/checkout-flag.ts);
   * absent: everyone gets the classic checkout and nothing is reported.
   */
  checkoutFlag?: CheckoutFlag;
  /** Every checkout request, with the variant its user was served (a flag run's analysis compares them). */
  onFlagSample?: (sample: FlagSample) => void;
};

/** One request as the storefront saw it, with the flag variant its user got. */
export type FlagSample = { variant: string; status: number; latencyMs: number };

/** The request header the traffic generator names its simulated user in: the flag's targeting key. */
export const USER_HEADER = "x-flightdeck-client";
/** A browser visitor's id, set on the first page view: the same visitor keeps the same variant. */
const VISITOR_COOKIE = "storefront_user";

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
  // A fault aimed at one flag variant (issue 15) spares every other user.
  const faulty = (reading: CheckoutReading | null) => fault.variant === undefined || reading?.variant === fault.variant;
  const faultDelayMs = (reading: CheckoutReading | null) => {
    if (fault.latencyMs <= 0 || !faulty(reading)) return 0;
    return fault.latencyMode === "all" || random() < TAIL_SHARE ? fault.latencyMs : 0;
  };

  /** The flag for this request's user (null without a flag); a browser's first visit gets an id. */
  const readFlag = async (req: IncomingMessage, res: ServerResponse): Promise<{ reading: CheckoutReading | null; user: string }> => {
    const header = req.headers[USER_HEADER];
    let user = typeof header === "string" && header !== "" ? header.slice(0, 200) : cookieOf(req, VISITOR_COOKIE);
    if (!user) {
      user = `visitor-${randomUUID().slice(0, 12)}`;
      // Flagged like the release's own cookie (TLS ends in front of the fleet), so the security
      // agent finds nothing new on the page; browsers keep Secure cookies on loopback http too.
      res.appendHeader("set-cookie", `${VISITOR_COOKIE}=${user}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000`);
    }
    if (!options.checkoutFlag) return { reading: null, user };
    const reading = await options.checkoutFlag.evaluate(user);
    res.setHeader("x-storefront-checkout", reading.variant);
    return { reading, user };
  };

  const app = async (req: IncomingMessage, res: ServerResponse, route: string, flagged: (r: CheckoutReading) => void) => {
    const method = req.method ?? "GET";
    if (route === "/__flags/checkout-flag.js" && method === "GET") {
      if (!options.checkoutFlag) return json(res, 404, { error: "no flags here" });
      return text(res, 200, await options.checkoutFlag.browserScript(), "text/javascript; charset=utf-8");
    }
    if (route === "/__flags/ofrep" && method === "POST" && options.checkoutFlag) return proxyOfrep(req, res, options.checkoutFlag.ofrepBaseUrl);
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
      const { reading, user } = await readFlag(req, res);
      if (reading) flagged(reading);
      await sleep(workMs() + faultDelayMs(reading));
      if (fault.errorRate > 0 && faulty(reading) && random() < fault.errorRate) return json(res, 500, { error: "injected fault", version });
      if (route === "/") {
        const checkout = reading ? checkoutSection(user, reading) : "";
        if (!options.site) return text(res, 200, page(version, checkout), "text/html; charset=utf-8");
        for (const [name, value] of Object.entries(options.site.headers)) {
          if (name === "set-cookie") res.appendHeader(name, value);
          else res.setHeader(name, value);
        }
        return text(res, 200, withCheckout(options.site.html, checkout), "text/html; charset=utf-8");
      }
      const items = 1 + Math.floor(random() * 4);
      return json(res, 200, { ok: true, version, items, totalCents: items * 1_299, ...(reading ? { checkout: reading.newCheckout ? "new" : "classic", variant: reading.variant } : {}) });
    }
    return json(res, 404, { error: "not found" });
  };

  return {
    handle(req, res) {
      const route = routeOf(req.url);
      const started = performance.now();
      let reading: CheckoutReading | null = null;
      res.once("finish", () => {
        const status = String(res.statusCode);
        const seconds = (performance.now() - started) / 1000;
        requestMetrics.served.inc({ route, status });
        requestMetrics.duration.observe({ version, route, status }, seconds);
        // Tagged with the variant the user got: the flag run's canary is its new variant's users.
        if (reading) options.onFlagSample?.({ variant: reading.variant, status: res.statusCode, latencyMs: seconds * 1000 });
      });
      app(req, res, route, (r) => (reading = r)).catch(() => {
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
  if (path.startsWith("/__flags/ofrep/")) return "/__flags/ofrep";
  return ["/", "/api/checkout", "/healthz", "/metrics", "/__fault", "/__flags/checkout-flag.js"].includes(path) ? path : "other";
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

function page(version: string, checkout: string): string {
  const v = version.replace(/[<>&"']/g, "");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Checkout ${v}</title></head>
<body><main><h1>Checkout</h1><p>Version <strong data-version>${v}</strong></p>${checkout}</main></body>
</html>
`;
}

/**
 * Which checkout this visitor sees: the server's answer first, then the page's own OpenFeature
 * web SDK takes over (demo/browser/checkout-flag.ts) and follows the flag as it changes.
 */
function checkoutSection(user: string, reading: CheckoutReading): string {
  const says = reading.newCheckout ? `You see the new one-page checkout (flag new-checkout: ${reading.variant}).` : `You see the classic checkout (flag new-checkout: ${reading.variant}).`;
  const safe = (t: string) => t.replace(/[<>&"']/g, "");
  return `<section aria-labelledby="checkout-flag-title"><h2 id="checkout-flag-title">Your checkout</h2><p role="status" data-checkout-flag data-user="${safe(user)}" data-variant="${safe(reading.variant)}" data-source="server">${safe(says)}</p></section><script type="module" src="/__flags/checkout-flag.js"></script>`;
}

/** The release's page with the checkout section at the end of its main content. */
function withCheckout(html: string, checkout: string): string {
  if (!checkout) return html;
  const at = html.lastIndexOf("</main>");
  const end = at >= 0 ? at : html.lastIndexOf("</body>");
  return end >= 0 ? `${html.slice(0, end)}${checkout}\n${html.slice(end)}` : `${html}${checkout}`;
}

function cookieOf(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name && /^[A-Za-z0-9._-]{1,200}$/.test(v.join("="))) return v.join("=");
  }
  return null;
}

/**
 * The page's OFREP calls, passed on to Flightdeck: the browser talks to the storefront only (its
 * Content-Security-Policy allows nothing else), the storefront to Flightdeck on loopback.
 */
async function proxyOfrep(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const body = await readBody(req);
  if (body === null) return json(res, 413, { errorCode: "PARSE_ERROR", errorDetails: `body over ${MAX_BODY_BYTES} bytes` });
  const rest = (req.url ?? "").split("?")[0]?.slice("/__flags".length) ?? "";
  if (!/^\/ofrep\/v1\/evaluate\/flags(\/[A-Za-z0-9._-]{1,128})?$/.test(rest)) return json(res, 404, { errorCode: "FLAG_NOT_FOUND", errorDetails: "not an OFREP path" });
  const etag = req.headers["if-none-match"];
  try {
    const upstream = await fetch(`${base}${rest}`, { method: "POST", headers: { "content-type": "application/json", ...(typeof etag === "string" ? { "if-none-match": etag } : {}) }, body, signal: AbortSignal.timeout(5_000) });
    const answer = upstream.status === 304 ? "" : await upstream.text();
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    const tag = upstream.headers.get("etag");
    if (tag) headers.etag = tag;
    res.writeHead(upstream.status, headers);
    res.end(answer);
  } catch {
    json(res, 502, { errorCode: "GENERAL", errorDetails: "Flightdeck's flags could not be reached" });
  }
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
