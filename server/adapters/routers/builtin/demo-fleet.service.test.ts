import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoFleet, type DemoFleet } from "../../../../demo/fleet.ts";
import { startTrafficGenerator, type GeneratedResponse } from "../../../../demo/traffic-generator.ts";
import { eventually } from "../../../testing/harness.ts";
import { ArraySink, client, processExists, quantile, target } from "./test-helpers.ts";

// The demo fleet as users run it: two sample-service processes, the router in front, real HTTP.
const http = client();
const sink = new ArraySink();
const run = target("run-demo");
let fleet: DemoFleet;

beforeAll(async () => {
  fleet = await startDemoFleet({ baselineVersion: "1.4.2", canaryVersion: "1.5.0", rps: 0, sink });
  await fleet.router.setWeight(run, 50);
});
afterAll(async () => {
  await fleet.stop();
  await http.close();
});

const fresh = (n: number) => http.many(`${fleet.url}/api/checkout`, n, () => ({}), 24);

describe("the demo fleet", () => {
  it("serves each version's page through the router", async () => {
    await fleet.router.setWeight(run, 0);
    expect((await http.get(fleet.url)).body).toContain('data-version>1.4.2<');
    await fleet.router.setWeight(run, 100);
    const canary = await http.get(fleet.url);
    expect(canary.body).toContain('data-version>1.5.0<');
    expect(canary.side).toBe("canary");
    const checkout = JSON.parse((await http.get(`${fleet.url}/api/checkout`)).body) as unknown;
    expect(checkout).toMatchObject({ ok: true, version: "1.5.0" });
    await fleet.router.setWeight(run, 50);
  });

  it("shows injected canary errors as canary errors only", async () => {
    expect(await fleet.setFault("canary", { errorRate: 0.5 })).toEqual({ errorRate: 0.5, latencyMs: 0, latencyMode: "all", memoryMbPerMin: 0 });
    sink.clear();
    await fresh(600);
    const share = (side: "baseline" | "canary") => {
      const seen = sink.of(side);
      return seen.filter((o) => o.status >= 500).length / seen.length;
    };
    expect(sink.of("canary").length).toBeGreaterThan(200);
    expect(share("canary")).toBeGreaterThan(0.38);
    expect(share("canary")).toBeLessThan(0.62);
    expect(share("baseline")).toBe(0);
    await fleet.clearFault("canary");
    expect(await fleet.getFault("canary")).toMatchObject({ errorRate: 0 });
  });

  it("moves canary latency with a latency fault: every request in `all` mode, the tail in `tail` mode", async () => {
    const latencies = async () => {
      sink.clear();
      await fresh(400);
      const of = (side: "baseline" | "canary") => sink.of(side).map((o) => o.latencyMs);
      return { baseline: of("baseline"), canary: of("canary") };
    };
    await fleet.setFault("canary", { latencyMs: 80, latencyMode: "all" });
    const all = await latencies();
    expect(quantile(all.canary, 0.5)).toBeGreaterThan(80);
    expect(quantile(all.baseline, 0.5)).toBeLessThan(40);

    await fleet.setFault("canary", { latencyMs: 150, latencyMode: "tail" });
    const tail = await latencies();
    expect(quantile(tail.canary, 0.5)).toBeLessThan(40);
    expect(quantile(tail.canary, 0.97)).toBeGreaterThan(150);
    expect(quantile(tail.baseline, 0.97)).toBeLessThan(80);
    await fleet.clearFault("canary");
  });

  it("grows the canary's memory past the demo's 256 MB limit with a memory fault, and clearing it brings the canary back under", async () => {
    const limit = 256 * 1024 * 1024; // the demo environment's default memory limit (services/demo.ts)
    const gauge = async (name: string) => {
      const text = (await http.get(`${fleet.services.canary.url}/metrics`)).body;
      return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    };
    const before = await gauge("process_resident_memory_bytes");
    const pid = fleet.services.canary.pid;
    await fleet.setFault("canary", { memoryMbPerMin: 1_024 });
    await eventually(async () => (await gauge("process_resident_memory_bytes")) > limit, 40_000);
    expect(await gauge("demo_fault_leaked_bytes")).toBeGreaterThan(before);

    await fleet.clearFault("canary");
    // What the next run's memory trigger reads: a canary well under its limit, not the leak's pages.
    expect(await gauge("process_resident_memory_bytes")).toBeLessThan(limit / 2);
    expect(await gauge("demo_fault_leaked_bytes")).toBe(0);
    const restarted = fleet.services.canary.pid;
    expect(restarted).not.toBe(pid); // a fresh process, on the same port behind the router
    await fleet.router.setWeight(run, 100);
    expect(JSON.parse((await http.get(`${fleet.url}/api/checkout`)).body)).toMatchObject({ ok: true, version: "1.5.0" });
    await fleet.router.setWeight(run, 50);
    // A cleared fault on a process that leaked nothing is not a restart.
    await fleet.clearFault("canary");
    expect(fleet.services.canary.pid).toBe(restarted);
  }, 60_000);

  it("exposes request counts and refuses bad or proxied fault injection", async () => {
    const metrics = (await http.get(`${fleet.services.baseline.url}/metrics`)).body;
    expect(metrics).toMatch(/^http_requests_total\{route="\/api\/checkout",status="200"\} \d+$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
    await expect(fleet.setFault("canary", { errorRate: 2 })).rejects.toThrow();
    const { request } = await import("undici");
    const direct = await request(`${fleet.services.canary.url}/__fault`, { method: "POST", body: JSON.stringify({ errorRate: 2 }) });
    expect(direct.statusCode).toBe(400);
    await direct.body.dump();
    const proxied = await request(`${fleet.url}/__fault`, { method: "POST", body: JSON.stringify({ errorRate: 1 }), headers: { "x-flightdeck-side": "canary" } });
    expect(proxied.statusCode).toBe(403);
    await proxied.body.dump();
    expect(await fleet.getFault("canary")).toMatchObject({ errorRate: 0 });
  });

  it("generates traffic at no more than its rate, from users who keep their side", async () => {
    const seen: GeneratedResponse[] = [];
    const started = performance.now();
    const generator = startTrafficGenerator({ target: fleet.url, rps: 100, clients: 12, sessionRequests: Infinity, onResponse: (r) => seen.push(r) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await generator.stop();
    const elapsedS = (performance.now() - started) / 1_000;
    const stats = generator.stats();
    expect(stats.sent).toBeLessThanOrEqual(Math.ceil(100 * elapsedS) + 1);
    expect(stats.sent).toBeGreaterThan(75);
    expect(stats.failed).toBe(0);
    expect(stats.byStatus["200"]).toBe(stats.completed);
    const sidesByUser = new Map<string, Set<string | null>>();
    for (const r of seen) sidesByUser.set(r.clientId, (sidesByUser.get(r.clientId) ?? new Set()).add(r.side));
    expect(sidesByUser.size).toBe(12);
    expect([...sidesByUser.values()].every((sides) => sides.size === 1)).toBe(true);
    expect(new Set(seen.map((r) => r.side))).toEqual(new Set(["baseline", "canary"]));
  });

  it("turns a canary process that is gone into 502s for canary clients while the baseline keeps serving", async () => {
    await fleet.services.canary.stop();
    sink.clear();
    const answers = await fresh(100);
    expect(answers.filter((a) => a.side === "canary").every((a) => a.status === 502)).toBe(true);
    expect(answers.filter((a) => a.side === "baseline").every((a) => a.status === 200)).toBe(true);
    expect(sink.of("canary").length).toBeGreaterThan(0);
    expect(sink.of("canary").every((o) => o.status === 502)).toBe(true);
  });
});

describe("fleet lifecycle", () => {
  it("stops cleanly: traffic, router and both processes", async () => {
    const own = await startDemoFleet({ baselineVersion: "1.0.0", canaryVersion: "1.1.0", rps: 50, sink: new ArraySink() });
    const pids = [own.services.baseline.pid, own.services.canary.pid];
    expect(pids.every(processExists)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(own.generator.stats().completed).toBeGreaterThan(0);
    await own.stop();
    expect(pids.some(processExists)).toBe(false);
    expect(own.router.address()).toBeNull();
    await own.stop(); // idempotent
  });

  it("leaves no services behind when the parent process is killed", async () => {
    const script = fileURLToPath(new URL("../../../../demo/start-fleet.ts", import.meta.url));
    const parent = spawn(process.execPath, ["--import", "tsx", script, "--quiet", "--rps", "5"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout }).once("line", resolve);
      parent.once("exit", () => reject(new Error("start-fleet exited early")));
    });
    const { pids } = JSON.parse(line) as { pids: { baseline: number; canary: number } };
    expect([pids.baseline, pids.canary].every(processExists)).toBe(true);
    parent.kill("SIGKILL");
    expect(await eventually(async () => !processExists(pids.baseline) && !processExists(pids.canary), 5_000)).toBe(true);
  });
});
