import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { ZApiRun, type ApiRun } from "../../server/contracts/api-v1.ts";
import { listenOnLoopback } from "../../server/testing/loopback-server.ts";
import type { CliIo } from "../context.ts";
import { main } from "../main.ts";

/**
 * A small HTTP server on loopback that answers as Flightdeck's API v1 would, scripted per test,
 * recording what the CLI sent: for the CLI's own behaviour (reconnection, fallbacks, exit codes)
 * where the real server cannot be made to misbehave on cue.
 */

export type Recorded = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string };
export type FakeHandler = (req: Recorded, res: ServerResponse, n: number) => unknown;

export async function fakeApi(handler: FakeHandler) {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const recorded = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, requests.length)).catch(() => res.destroy());
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, requests, close };
}

export const TOKEN = `fd_${"A".repeat(43)}`;
export const RUN_ID = "6f1c2b1e-6a3b-4c5d-8e9f-0a1b2c3d4e5f";

/** A run as the API shows it, valid by the API's own schema. */
export function fakeRun(overrides: Partial<ApiRun> = {}): ApiRun {
  return ZApiRun.parse({
    id: RUN_ID,
    number: 42,
    url: `http://127.0.0.1/runs/${RUN_ID}`,
    service: "storefront",
    environment: "staging",
    kind: "version",
    flag: null,
    version: "2.3.1",
    baselineVersion: "2.3.0",
    strategy: "canary",
    risk: "medium",
    compliance: "none",
    status: "running",
    phase: "pre_deploy",
    waitingFor: null,
    canaryPercent: 0,
    currentStep: null,
    gate: null,
    outcomeReason: null,
    createdAt: "2026-12-04T16:00:00.000Z",
    finishedAt: null,
    createdBy: "ci (API token)",
    commitSha: null,
    commitAt: null,
    releaseNotes: "",
    links: [],
    seq: 1,
    ...overrides,
  });
}

export const sse = (event: string, data: unknown, id?: number) => `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function startStream(res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  res.write("retry: 3000\n\n");
}

/** Runs the CLI in this process as the launcher would, with captured output. */
export async function cli(argv: string[], opts: { env?: Record<string, string>; stdin?: string; tty?: boolean; follow?: CliIo["follow"] } = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    argv,
    env: opts.env ?? {},
    stdin: Object.assign(Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []), { isTTY: opts.stdin === undefined }),
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    // A fake server drops a stream in milliseconds; the real pauses are seconds.
    follow: { reconnectDelayMs: 20, pollIntervalMs: 20, idleTimeoutMs: 2_000, maxPollFailures: 3, ...opts.follow },
  };
  const code = await main(io);
  return { code, stdout, stderr };
}
