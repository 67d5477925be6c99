import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { buildOpenApiDocument } from "../contracts/openapi.ts";
import { createRunRoute, getRunRoute, listRunsRoute, runCommandRoute, runEventsRoute } from "../http/api-v1.ts";
import { metricsRoute, signalsRoute } from "../http/api-v1-ingest.ts";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * The HTTP API v1 on a real HTTP server on loopback: the route handlers that app/api/v1/**
 * exports, mounted on Node's http server (Next itself is too heavy to start per test file), for the
 * API's own service tests and the CLI's: what they talk to is the real code.
 */

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
const ROUTES: { pattern: RegExp; methods: Record<string, Handler> }[] = [
  { pattern: /^\/api\/v1\/runs$/, methods: { GET: listRunsRoute, POST: createRunRoute } },
  { pattern: /^\/api\/v1\/runs\/([^/]+)$/, methods: { GET: getRunRoute } },
  { pattern: /^\/api\/v1\/runs\/([^/]+)\/commands$/, methods: { POST: runCommandRoute } },
  { pattern: /^\/api\/v1\/runs\/([^/]+)\/events$/, methods: { GET: runEventsRoute } },
  { pattern: /^\/api\/v1\/metrics$/, methods: { POST: metricsRoute } },
  { pattern: /^\/api\/v1\/signals$/, methods: { POST: signalsRoute } },
  // As app/api/v1/openapi.json/route.ts answers.
  { pattern: /^\/api\/v1\/openapi\.json$/, methods: { GET: async () => new Response(JSON.stringify(buildOpenApiDocument()), { headers: { "content-type": "application/json" } }) } },
];

/** Node's request → the fetch Request a Next route handler gets, and its Response back, streamed. */
async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const route = ROUTES.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).find((x) => x.m);
  const handler = route?.r.methods[req.method ?? "GET"];
  if (!route?.m || !handler) {
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const aborted = new AbortController();
  res.on("close", () => aborted.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method ?? "GET",
    headers,
    signal: aborted.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
  const response = await handler(request, { params: Promise.resolve({ id: decodeURIComponent(route.m[1] ?? "") }) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.flushHeaders();
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) res.write(r.value);
    } catch {
      // the client went away
    }
  }
  res.end();
}

/** Starts the API on a free loopback port; the app context (engine, aggregator) must be set first. */
export async function startApiServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      console.error("[test api server] handler threw", e);
      res.destroy();
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, close };
}
