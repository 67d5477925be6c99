/**
 * A trivial upstream for the router benchmark, as its own process: two ports (the "baseline" and
 * the "canary"), each answering every request at once with a small JSON body. Reports
 * `{ kind: "listening", ports: [baseline, canary] }` over IPC and exits with its parent.
 */
import { createServer, type Server } from "node:http";
import { exitWithParent } from "./lib.ts";

const BODY = Buffer.from(JSON.stringify({ ok: true, items: 2, totalCents: 2598 }));

function listen(side: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": BODY.length, "x-side": side });
    res.end(BODY);
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === "object" && addr ? addr.port : 0 });
    });
  });
}

const servers = [await listen("baseline"), await listen("canary")];
exitWithParent(() => {
  for (const s of servers) s.server.closeAllConnections();
});
process.send?.({ kind: "listening", ports: servers.map((s) => s.port) });
