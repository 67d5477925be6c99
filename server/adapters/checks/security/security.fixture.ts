import { createServer as createHttpServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { fileURLToPath } from "node:url";
import type { CheckContext } from "../../../engine/ports.ts";
import { recordingContext, type RecordingContext } from "../check-context.fixture.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";
import type { Pem } from "../post-deploy/tls.fixture.ts";

/** Absolute path of a file or folder under ./fixtures. */
export function fixture(relative: string): string {
  return fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));
}

/** A check context for the security-audit-specialist, recording what the runner logs and reports. */
export function securityContext(config: unknown, overrides: Partial<CheckContext> = {}): RecordingContext {
  return recordingContext("security-audit-specialist", config, overrides);
}

/** One page of a test site: its status and response headers (Set-Cookie as an array). */
export type SitePage = { status?: number; headers: OutgoingHttpHeaders };

/**
 * A real web site on 127.0.0.1, over https when given a certificate, answering each path with its
 * page's headers and a small HTML body; unknown paths hang (never answer).
 */
export async function startSite(pages: Record<string, SitePage>, pem?: Pem): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const page = pages[new URL(req.url ?? "/", "http://loopback").pathname];
    if (page === undefined) return;
    res.writeHead(page.status ?? 200, { "content-type": "text/html; charset=utf-8", ...page.headers });
    res.end("<!doctype html><title>checkout staging</title>");
  };
  const server: Server = pem === undefined ? createHttpServer(handler) : createHttpsServer(pem, handler);
  // A TLS probe that hangs up right after the handshake makes the server report client errors; they are expected.
  server.on("tlsClientError", () => {});
  const { port, close } = await listenOnLoopback(server);
  const scheme = pem === undefined ? "http" : "https";
  return {
    url: (p) => `${scheme}://127.0.0.1:${port}${p}`,
    close,
  };
}
