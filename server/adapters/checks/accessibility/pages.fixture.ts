import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { CheckContext } from "../../../engine/ports.ts";
import { recordingContext, type RecordingContext } from "../check-context.fixture.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";

/** What a route answers: an HTML file from ./fixtures (or an empty body), its status, and how long it makes the browser wait. */
export type PageRoute = { file?: string; status?: number; delayMs?: number };

/** A check context for the accessibility-expert, recording what the runner logs and reports. */
export function accessibilityContext(config: unknown, overrides: Partial<CheckContext> = {}): RecordingContext {
  return recordingContext("accessibility-expert", config, overrides);
}

/** A real HTTP server on 127.0.0.1 serving staging pages as text/html; unknown paths answer 404. */
export async function startPageServer(routes: Record<string, PageRoute>): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://loopback").pathname] ?? { status: 404 };
    const body = route.file === undefined ? "" : readFileSync(new URL(`./fixtures/${route.file}`, import.meta.url), "utf8");
    const answer = () => {
      res.writeHead(route.status ?? 200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    };
    if (route.delayMs === undefined) answer();
    else setTimeout(answer, route.delayMs).unref();
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close,
  };
}
