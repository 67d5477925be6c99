import { createServer } from "node:http";
import { ofrepEvaluateAll, ofrepEvaluateOne } from "../http/ofrep.ts";
import type { FlagCache } from "../services/flags.ts";
import { listenOnLoopback } from "./loopback-server.ts";

const ROUTE = /^\/api\/flags\/([^/]+)\/([^/]+)\/ofrep\/v1\/evaluate\/flags(?:\/([^/]+))?$/;

/**
 * Flightdeck's OFREP handlers behind a real HTTP server on loopback, mounted at the app's paths
 * (`/api/flags/<service>/<environment>/ofrep/v1/evaluate/flags[/<key>]`), so tests and benchmarks
 * can point real OpenFeature SDKs at them without a Next.js build. `origin`: `http://127.0.0.1:<port>`.
 */
export async function serveOfrep(cache: FlagCache): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(url, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
      const m = ROUTE.exec(url.pathname);
      const answer = !m
        ? Promise.resolve(new Response("not found", { status: 404 }))
        : m[3]
          ? ofrepEvaluateOne(cache, request, m[1] ?? "", m[2] ?? "", decodeURIComponent(m[3]))
          : ofrepEvaluateAll(cache, request, m[1] ?? "", m[2] ?? "");
      void answer.then(async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers));
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { origin: `http://127.0.0.1:${port}`, close };
}
