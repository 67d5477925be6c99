import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Agent, request } from "undici";
import type { RouteTarget } from "../../../engine/ports.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";
import type { ObservationSink, RequestObservation, Side } from "../../../metrics/types.ts";

/** A sink that keeps what it is given, for assertions. */
export class ArraySink implements ObservationSink {
  readonly observations: RequestObservation[] = [];
  observeRequest(o: RequestObservation): void {
    this.observations.push(o);
  }
  of(side: Side): RequestObservation[] {
    return this.observations.filter((o) => o.side === side);
  }
  clear(): void {
    this.observations.length = 0;
  }
}

/** A route target for run `runId`. */
export const target = (runId: string): RouteTarget => ({ runId, service: "checkout", environment: "staging", baseline: "1.4.2", canary: "1.5.0" });

/** An in-process HTTP server on a free loopback port. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  const { port, close } = await listenOnLoopback(server);
  return { server, url: `http://127.0.0.1:${port}`, close };
}

/** What a client saw. */
export type Answer = { status: number; side: Side | null; setCookie: string[]; body: string; latencyMs: number };

/** An HTTP client with its own connection pool. */
export function client() {
  const dispatcher = new Agent({ connections: 64 });
  const get = async (url: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const started = performance.now();
    const res = await request(url, { dispatcher, headers });
    const body = await res.body.text();
    const side = res.headers["x-flightdeck-side"];
    const setCookie = res.headers["set-cookie"];
    return {
      status: res.statusCode,
      side: side === "baseline" || side === "canary" ? side : null,
      setCookie: typeof setCookie === "string" ? [setCookie] : (setCookie ?? []),
      body,
      latencyMs: performance.now() - started,
    };
  };
  /** `n` requests, `concurrency` at a time; `headersFor(i)` gives request i's headers. */
  const many = async (url: string, n: number, headersFor: (i: number) => Record<string, string> = () => ({}), concurrency = 16): Promise<Answer[]> => {
    const answers: Answer[] = new Array<Answer>(n);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) answers[i] = await get(url, headersFor(i));
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    return answers;
  };
  return { get, many, close: () => dispatcher.close() };
}

/** The q-quantile (0–1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** Counts of `items` by `key`. */
export function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Whether a process with this PID is still running. A zombie (exited, not yet reaped: an
 * orphan waits for PID 1 to reap it, and in a container PID 1 may never do so) counts as gone.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e instanceof Error && "code" in e && e.code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces, so read after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
