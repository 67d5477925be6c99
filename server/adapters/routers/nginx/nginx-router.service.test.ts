import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteTarget } from "../../../engine/ports.ts";
import { freePort } from "../../../testing/global-setup.ts";
import { SIDE_HEADER } from "../builtin/stickiness.ts";
import { NginxRouter, type NginxRouterOptions } from "./nginx-router.ts";

// Real nginx, not a stand-in: CI installs it (apt-get install -y nginx). A missing binary fails
// the suite loudly instead of skipping it, so a green run always means nginx was exercised.
const NGINX = "/usr/sbin/nginx";

const target: RouteTarget = { runId: "run-3f9c", service: "checkout", environment: "staging", baseline: "1.4.0", canary: "1.5.0" };

let prefix = "";
let listenPort = 0;
let baselineAddr = "";
let canaryAddr = "";
let options: NginxRouterOptions;
let router: NginxRouter;
const upstreams: Server[] = [];

/** A tiny upstream answering its side's name; `Connection: keep-alive` so nginx's upstream keepalive is used. */
async function upstream(side: string): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(side));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstreams.push(server);
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends `n` requests through nginx on fresh connections and counts who answered. */
async function sample(n: number): Promise<{ baseline: number; canary: number }> {
  const agent = new Agent({ connections: 8 });
  const counts = { baseline: 0, canary: 0 };
  try {
    for (let sent = 0; sent < n; sent += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, n - sent) }, async () => {
          const res = await request(`${router.url}/checkout`, { dispatcher: agent });
          const side = await res.body.text();
          expect(res.statusCode).toBe(200);
          expect(res.headers[SIDE_HEADER]).toBe(side);
          if (side !== "baseline" && side !== "canary") throw new Error(`unexpected answer ${side}`);
          counts[side]++;
        }),
      );
    }
  } finally {
    await agent.close();
  }
  return counts;
}

/** Pids of running (not zombie) processes whose command line or parent ties them to this nginx. */
async function nginxProcesses(masterPid: number | null): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (stat === "" || state === "Z") continue;
    if (cmdline.includes(prefix) || (masterPid !== null && Number(ppid) === masterPid)) found.push(Number(entry));
  }
  return found;
}

const masterPid = async () => {
  const text = await readFile(path.join(prefix, "logs", "nginx.pid"), "utf8").catch(() => "");
  return text.trim() === "" ? null : Number(text.trim());
};

beforeAll(async () => {
  if (!existsSync(NGINX)) throw new Error(`nginx is required for these tests but ${NGINX} is missing: apt-get install -y nginx`);
  baselineAddr = await upstream("baseline");
  canaryAddr = await upstream("canary");
  prefix = await mkdtemp(path.join(os.tmpdir(), "flightdeck-nginx-"));
  listenPort = await freePort();
  options = { nginxBinary: NGINX, prefix, listenPort, upstreams: { baseline: baselineAddr, canary: canaryAddr }, applyTimeoutMs: 5_000 };
  router = new NginxRouter(options);
});

afterAll(async () => {
  await router.stop();
  await Promise.all(upstreams.map((s) => new Promise((resolve) => s.close(resolve))));
  if (prefix !== "") await rm(prefix, { recursive: true, force: true });
});

describe("nginx router against a real nginx", () => {
  it("starts nginx at 0% and sends every request to the baseline, the canary marked down", async () => {
    await router.setWeight(target, 0);
    expect(await sample(100)).toEqual({ baseline: 100, canary: 0 });
    expect(await router.verifyWeight(target, 0)).toBe(true);
    expect(await router.verifyWeight(target, 20)).toBe(false);
    expect(await router.verifyWeight({ ...target, runId: "another-run" }, 0)).toBe(false);

    const conf = await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8");
    expect(conf).toContain(`server ${canaryAddr} weight=1 down;`);
    expect(conf).toContain(`server ${baselineAddr} weight=100;`);
    expect(conf).not.toContain("/etc/nginx");
  });

  it("at 100% sends every request to the canary, by reloading the same nginx", async () => {
    const before = await masterPid();
    await router.setWeight(target, 100);
    expect(await sample(100)).toEqual({ baseline: 0, canary: 100 });
    expect(await router.verifyWeight(target, 100)).toBe(true);
    expect(await masterPid()).toBe(before);
    const conf = await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8");
    expect(conf).toContain(`server ${baselineAddr} weight=1 down;`);
  });

  it("at 20% sends about a fifth of 500 requests to the canary", async () => {
    await router.setWeight(target, 20);
    const counts = await sample(500);
    expect(counts.canary).toBeGreaterThanOrEqual(80);
    expect(counts.canary).toBeLessThanOrEqual(120);
    expect(counts.baseline + counts.canary).toBe(500);
    expect(await router.verifyWeight(target, 20)).toBe(true);
  });

  it("rejects a config that nginx -t refuses, with nginx's message, and keeps serving the previous weight", async () => {
    const confBefore = await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8");
    const misconfigured = new NginxRouter({ ...options, upstreams: { baseline: baselineAddr, canary: "127.0.0.1:0" } });

    await expect(misconfigured.setWeight(target, 50)).rejects.toThrow(/nginx rejected the config for canary 50%: .*invalid port in upstream "127\.0\.0\.1:0"/);

    expect(await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8")).toBe(confBefore);
    expect((await readdir(path.join(prefix, "conf"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await router.verifyWeight(target, 20)).toBe(true);
    const counts = await sample(100);
    expect(counts.canary).toBeGreaterThanOrEqual(10);
    expect(counts.canary).toBeLessThanOrEqual(30);
  });

  it("reports a reload that nginx accepted but could not apply, and keeps serving the previous weight", async () => {
    // nginx -t does not bind ports, so a port already taken passes the check and fails in the reload.
    const taken = Number(baselineAddr.split(":")[1]);
    const confBefore = await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8");
    const clashing = new NginxRouter({ ...options, listenPort: taken, applyTimeoutMs: 1_500 });

    await expect(clashing.setWeight(target, 50)).rejects.toThrow(/did not serve canary 50% within 1500 ms; error log:[\s\S]*Address already in use/);

    expect(await readFile(path.join(prefix, "conf", "nginx.conf"), "utf8")).toBe(confBefore);
    expect(await router.verifyWeight(target, 20)).toBe(true);
  });

  it("refuses fractional or out-of-range weights and unsafe run ids before touching nginx", async () => {
    await expect(router.setWeight(target, 12.5)).rejects.toThrow(RangeError);
    await expect(router.setWeight(target, -1)).rejects.toThrow(RangeError);
    await expect(router.setWeight({ ...target, runId: 'x"; return 200 "pwned' }, 5)).rejects.toThrow(/not safe/);
    expect(() => new NginxRouter({ ...options, upstreams: { baseline: "127.0.0.1:1; include /etc/passwd", canary: canaryAddr } })).toThrow(/host:port/);
    expect(await router.verifyWeight(target, 20)).toBe(true);
  });

  it("fails with a clear message when the nginx binary is missing", async () => {
    const missing = new NginxRouter({ ...options, nginxBinary: "/nonexistent/sbin/nginx" });
    await expect(missing.setWeight(target, 5)).rejects.toThrow(/cannot run \/nonexistent\/sbin\/nginx: .*ENOENT.*apt-get install -y nginx/);
  });

  it("is found again by a new router on the same prefix (Flightdeck restarted) and stops cleanly", async () => {
    const pid = await masterPid();
    expect(pid).not.toBeNull();
    const restarted = new NginxRouter(options);
    await restarted.setWeight(target, 50);
    expect(await masterPid()).toBe(pid);
    expect(await router.verifyWeight(target, 50)).toBe(true);
    expect((await nginxProcesses(pid)).length).toBeGreaterThanOrEqual(2); // master and worker

    await restarted.stop();
    expect(await nginxProcesses(pid)).toEqual([]);
    expect(await restarted.verifyWeight(target, 50)).toBe(false);
    await restarted.stop(); // nothing left to stop: a no-op
  });
});
