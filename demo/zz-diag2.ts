import { createServer, Agent } from "node:http";
import { spawn } from "node:child_process";
import { createProxyServer } from "http-proxy-3";
import { BuiltinRouter } from "../server/adapters/routers/builtin/builtin-router.ts";
// upstream in a separate process
const upProc = spawn(process.execPath, ["-e", `require("http").createServer((q,s)=>{s.writeHead(200,{"content-type":"application/json"});s.end('{"status":"ok"}')}).listen(0,"127.0.0.1",function(){console.log(this.address().port)})`], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((r) => upProc.stdout?.once("data", (d: Buffer) => r(Number(String(d).trim()))));
const up = `http://127.0.0.1:${port}`;
const router = new BuiltinRouter({ listenPort: 0, upstreams: { baseline: up, canary: up }, sink: { observeRequest() {} } });
await router.start();
await router.setWeight({ runId: "x", service: "s", environment: "staging", baseline: "1", canary: "2" }, 50);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const bare = createProxyServer({ target: up, agent });
const bareSrv = createServer((q, s) => bare.web(q, s));
await new Promise<void>((r) => bareSrv.listen(0, "127.0.0.1", r));
const bareUrl = `http://127.0.0.1:${(bareSrv.address() as { port: number }).port}`;
const load = async (t: string, label: string) => { process.stdout.write(label + " "); const c = spawn(process.execPath, ["/tmp/load.mjs", t, "/x", "3"], { stdio: "inherit" }); await new Promise((r) => c.once("exit", r)); };
for (let i = 0; i < 2; i++) { await load(up, "direct"); await load(bareUrl, "bare http-proxy-3"); await load(router.address()?.url ?? "", "BuiltinRouter"); }
await router.stop(); bareSrv.close(); agent.destroy(); upProc.kill();
