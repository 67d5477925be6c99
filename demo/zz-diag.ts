import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { BuiltinRouter } from "../server/adapters/routers/builtin/builtin-router.ts";
let conns = 0;
const up = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"status":"ok"}'); });
up.keepAliveTimeout = 30000;
up.on("connection", () => conns++);
await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
const port = (up.address() as { port: number }).port;
const router = new BuiltinRouter({ listenPort: 0, upstreams: { baseline: `http://127.0.0.1:${port}`, canary: `http://127.0.0.1:${port}` }, sink: { observeRequest() {} } });
await router.start();
await router.setWeight({ runId: "x", service: "s", environment: "staging", baseline: "1", canary: "2" }, 50);
const url = router.address()?.url ?? "";
for (const target of [`http://127.0.0.1:${port}`, url]) {
  conns = 0;
  const child = spawn(process.execPath, ["/tmp/load.mjs", target, "/healthz", "4"], { stdio: "inherit" });
  await new Promise((r) => child.once("exit", r));
  console.log("upstream connections", conns);
}
await router.stop(); up.close();
