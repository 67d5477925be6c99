import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { CheckContext } from "../../../engine/ports.ts";
import { freePort } from "../../../testing/global-setup.ts";
import { recordingContext, type RecordingContext } from "../check-context.fixture.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";

/** Absolute path of a file or folder under ./fixtures. */
export function fixture(relative: string): string {
  return fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));
}

/** A check context for the systems-engineer, recording what the runner logs and reports. */
export function systemsContext(config: unknown, overrides: Partial<CheckContext> = {}): RecordingContext {
  return recordingContext("systems-engineer", config, overrides);
}

/** How the staging service answers its n-th request (1-based); null = never. */
export type Behaviour = (n: number) => { status: number; delayMs: number } | null;

const MIB = 1024 * 1024;
/** 1 MiB of per-route counters, as a busy service's /metrics page carries before its process metrics. */
const LARGE_PREAMBLE = Array.from({ length: 20_000 }, (_, i) => `http_requests_total{route="/r${i}",status="200"} ${i}\n`).join("").padEnd(MIB, "#");

/**
 * A real HTTP service on 127.0.0.1 to load: `/` answers as `behaviour` says; `/metrics` is its
 * Prometheus page, whose resident memory is 100 MiB plus `growthPerRequest` bytes for every
 * request served so far (the memory a leak would keep); `/metrics/no-rss` has no RSS metric;
 * `/metrics/large` is the same page after 1 MiB of other series (a busy service's page).
 */
export async function startStagingService(behaviour: Behaviour, growthPerRequest = 0): Promise<{ url: (p: string) => string; served: () => number; close: () => Promise<void> }> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://loopback").pathname;
    if (pathname.startsWith("/metrics")) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      const page = metricsPage(100 * MIB + served * growthPerRequest);
      if (pathname === "/metrics") return res.end(page);
      if (pathname === "/metrics/large") return res.end(`${LARGE_PREAMBLE}${page}`);
      return res.end("# TYPE http_requests_total counter\nhttp_requests_total 12\n");
    }
    served += 1;
    const answering = behaviour(served);
    if (answering === null) return; // left hanging
    const { status, delayMs } = answering;
    const answer = () => {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "ok" : "upstream failed");
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    served: () => served,
    close,
  };
}

/** A page as prom-client writes it: comments, labelled series and scientific notation. */
function metricsPage(rssBytes: number): string {
  return [
    "# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.",
    "# TYPE process_cpu_user_seconds_total counter",
    "process_cpu_user_seconds_total 1.234",
    "# HELP process_resident_memory_bytes Resident memory size in bytes.",
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${rssBytes.toExponential(6)}`,
    '# HELP nodejs_heap_space_size_used_bytes Process heap space size used from Node.js in bytes.',
    'nodejs_heap_space_size_used_bytes{space="new"} 1.6e+06',
    "",
  ].join("\n");
}

/** A URL on 127.0.0.1 where nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/`;
}
