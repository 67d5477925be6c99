/**
 * The demo checkout service as its own process:
 *   node --import tsx demo/sample-service.ts --port 4001 --version 1.5.0
 * `--port 0` picks a free port. When started with an IPC channel (as the demo fleet does), it
 * reports the port it got as `{ kind: "listening", port }` and exits when its parent goes away,
 * so that a crashed or killed control room never leaves services behind.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { connectCheckoutFlag } from "./checkout-flag.ts";
import { createSampleApp, type FlagSample } from "./sample-app.ts";

/** What a sample service tells the parent that spawned it: its port; a flag run's requests (issue 15). */
export type SampleServiceMessage = { kind: "listening"; port: number } | { kind: "flag-samples"; samples: FlagSample[] };

/** Flag samples go to the parent in batches this often: one IPC message, not one per request. */
const FLAG_SAMPLE_FLUSH_MS = 250;

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    version: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    /** the release's site folder: index.html and headers.json (header name → value) */
    "site-dir": { type: "string" },
    /** Flightdeck's OFREP base for this service and environment: the storefront reads new-checkout there */
    "flags-url": { type: "string" },
  },
});
const port = Number(values.port);
if (!values.version || !Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error("usage: sample-service.ts --port <0-65535> --version <version> [--host 127.0.0.1] [--site-dir <release>/site] [--flags-url <flightdeck>/api/flags/<service>/<environment>]");
  process.exit(2);
}

/** The release's home page and response headers, read once at start (a release does not change). */
function loadSite(dir: string): { html: string; headers: Record<string, string> } {
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  const headers = z.record(z.string().regex(/^[a-z0-9-]+$/, "lower-case header names"), z.string()).parse(JSON.parse(readFileSync(path.join(dir, "headers.json"), "utf8")));
  return { html, headers };
}

const siteDir = values["site-dir"];
const flagsUrl = values["flags-url"];
const checkoutFlag = flagsUrl ? connectCheckoutFlag(flagsUrl) : undefined;
// A flag run's samples, tagged with the variant each user got, for the parent (the demo fleet in
// Flightdeck's process) to feed the run's analysis.
let pending: FlagSample[] = [];
const flush = setInterval(() => {
  if (pending.length === 0 || !process.send) return;
  process.send({ kind: "flag-samples", samples: pending } satisfies SampleServiceMessage);
  pending = [];
}, FLAG_SAMPLE_FLUSH_MS);
flush.unref();
function keepSample(sample: FlagSample): void {
  // A parent that stopped reading (it is busy or gone) must not make this process grow without end.
  if (pending.length < 50_000) pending.push(sample);
}
const app = createSampleApp({
  version: values.version,
  ...(siteDir ? { site: loadSite(siteDir) } : {}),
  ...(checkoutFlag ? { checkoutFlag, onFlagSample: keepSample } : {}),
});
const server = createServer((req, res) => app.handle(req, res));
// Longer than the default 5 s: fewer reconnects from the router's keep-alive pool.
server.keepAliveTimeout = 30_000;

const shutdown = () => {
  app.close();
  void checkoutFlag?.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
// The IPC channel closes when the parent exits for any reason, SIGKILL included.
process.on("disconnect", () => process.exit(0));

server.listen(port, values.host, () => {
  const addr = server.address();
  const bound = typeof addr === "object" && addr ? addr.port : port;
  process.send?.({ kind: "listening", port: bound } satisfies SampleServiceMessage);
  console.log(`sample-service ${values.version} listening on http://${values.host}:${bound}`);
});
