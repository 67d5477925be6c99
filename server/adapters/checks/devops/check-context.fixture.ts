import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { CheckContext } from "../../../engine/ports.ts";
import { recordingContext, type RecordingContext } from "../check-context.fixture.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";

/** Absolute path of a file or folder under ./fixtures. */
export function fixture(relative: string): string {
  return fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));
}

/** A check context for the devops-engineer, recording what the runner logs and reports. */
export function devopsContext(config: unknown, overrides: Partial<CheckContext> = {}): RecordingContext {
  return recordingContext("devops-engineer", config, overrides);
}

/** A real HTTP server on 127.0.0.1 answering from a route table; unknown paths hang (never answer). */
export async function startLoopbackServer(routes: Record<string, { status: number; body: string } | (() => { status: number; body: string })>): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://loopback").pathname];
    if (route === undefined) return; // left hanging: a backup endpoint that never answers
    const { status, body } = typeof route === "function" ? route() : route;
    res.writeHead(status, { "content-type": body.startsWith("{") ? "application/json" : "text/plain" });
    res.end(body);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close,
  };
}
