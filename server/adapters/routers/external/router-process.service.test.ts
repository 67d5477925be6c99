import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { acquireAnalysisLeases } from "../../../db/analysis-lease-repository.ts";
import { connectDb, disconnectDb } from "../../../db/client.ts";
import type { RouteTarget, TrafficRouter } from "../../../engine/ports.ts";
import { freePort } from "../../../testing/global-setup.ts";
import { eventually, makeService } from "../../../testing/harness.ts";
import { startRouterProcess, type RouterChild } from "../../../testing/router-process.ts";
import { client, listen } from "../builtin/test-helpers.ts";
import { RouterRegistry } from "../registry.ts";
import { ExternalRouter, externalRouter } from "./external-router.ts";
import { ZRouterReport } from "./weight-store.ts";

// `npm run router` as a real child process against the test database and two loopback upstreams;
// the "dashboard side" is a RouterRegistry whose built-in routers are ExternalRouters, as main.ts
// builds them with FLIGHTDECK_ROUTER=external.
const url = inject("databaseUrl");
const db = connectDb(url);
const http = client();
const upstreams: Awaited<ReturnType<typeof listen>>[] = [];
const children: ChildProcess[] = [];
let slug = "";
let place = "";
let routerUrl = "";
let target: RouteTarget;

/** The router process serving only this test's environment. */
async function startRouter(): Promise<RouterChild> {
  const started = await startRouterProcess(url, [place]);
  children.push(started.child);
  return started;
}

/** A dashboard's registry, synced from Settings the way main.ts does with FLIGHTDECK_ROUTER=external. */
async function dashboardRouter(): Promise<TrafficRouter> {
  const registry = new RouterRegistry();
  await registry.syncFromDb(db, (_config, where) => Promise.resolve(externalRouter(db, where)), () => {}, (config, where) => config.kind === "builtin" && where.service === slug);
  const router = registry.routerFor("builtin", target);
  if (!router) throw new Error("the registry registered no built-in router");
  return router;
}

async function reported(): Promise<{ runId: string | null; percent: number; listening: string | null } | undefined> {
  const rows = await db.serverInstance.findMany({ where: { kind: "router" } });
  for (const row of rows) {
    const route = ZRouterReport.parse(row.state).routes[place];
    if (route) return route;
  }
  return undefined;
}

let first: RouterChild;
beforeAll(async () => {
  const named = (name: string) => (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(name);
  };
  upstreams.push(await listen(named("baseline")), await listen(named("canary")));
  const svc = await makeService(db, { router: "builtin" });
  slug = svc.slug;
  place = `${slug}/staging`;
  const port = await freePort();
  routerUrl = `http://127.0.0.1:${port}`;
  await db.environment.updateMany({
    where: { serviceId: svc.id, name: "staging" },
    data: { routerConfig: { kind: "builtin", listenPort: port, baselineUrl: upstreams[0]?.url ?? "", canaryUrl: upstreams[1]?.url ?? "" } },
  });
  target = { runId: randomUUID(), service: slug, environment: "staging", baseline: "1.0.0", canary: "1.1.0" };
  first = await startRouter();
}, 90_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(upstreams.map((u) => u.close()));
  await http.close();
  await disconnectDb();
});

describe("the router as its own process", () => {
  it("applies the weight the dashboard writes, splits real traffic by it, reports it, and sends its observations to the run's analysis owner", async () => {
    // Another instance analyses the run: the router process must send it what it observes.
    await acquireAnalysisLeases(db, "test-analysis-owner", [target.runId], 60_000);
    const router = await dashboardRouter();
    await router.setWeight(target, 30);
    expect(await router.verifyWeight(target, 30)).toBe(true);

    const answers = await http.many(routerUrl, 400);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const canary = answers.filter((a) => a.side === "canary" && a.body === "canary").length;
    expect(canary / answers.length).toBeGreaterThan(0.2);
    expect(canary / answers.length).toBeLessThan(0.4);

    expect(await reported()).toMatchObject({ runId: target.runId, percent: 30, listening: routerUrl });
    expect(await router.servedWeight?.(target)).toEqual({ runId: target.runId, percent: 30 });

    // Every request reaches the owner's inbox, on the side that served it.
    const inboxed = async () => {
      const rows = await db.metricInbox.findMany({ where: { runId: target.runId } });
      const sides = { baseline: 0, canary: 0 };
      for (const row of rows) for (const r of (row.payload as { requests?: { side: "baseline" | "canary"; count?: number }[] }).requests ?? []) sides[r.side] += r.count ?? 1;
      return sides.baseline + sides.canary === answers.length ? sides : null;
    };
    expect(await eventually(inboxed, 10_000)).toEqual({ baseline: answers.length - canary, canary });
  });

  it("keeps serving while the dashboard side restarts: no request fails, and the new dashboard reads the weight back and moves it", async () => {
    let stop = false;
    const seen: { status: number; side: string | null }[] = [];
    const failures: string[] = [];
    const traffic = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const a = await http.get(routerUrl);
          seen.push(a);
          if (a.status !== 200) failures.push(`status ${a.status}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    });
    const before = await dashboardRouter();
    await before.setWeight(target, 50);
    expect(await before.verifyWeight(target, 50)).toBe(true);
    await eventually(async () => seen.length > 100, 20_000);

    // The dashboard goes away (its registry with it) and a new one starts: the router keeps the weight.
    const after = await dashboardRouter();
    expect(await after.servedWeight?.(target)).toEqual({ runId: target.runId, percent: 50 });
    await after.setWeight(target, 100);
    expect(await after.verifyWeight(target, 100)).toBe(true);
    const movedAt = seen.length;
    await eventually(async () => seen.length > movedAt + 100, 20_000);
    stop = true;
    await Promise.all(traffic);

    expect(failures).toEqual([]);
    // Requests sent after the move all reach the canary (a few were in flight when it moved).
    expect(seen.slice(movedAt + 10).every((a) => a.side === "canary")).toBe(true);
  });

  it("stops cleanly on SIGTERM (its places read as unserved), starts again at the stored weight, and a silent router counts as gone", async () => {
    const exited = new Promise<string>((resolve) => first.child.once("exit", (code, signal) => resolve(`code ${code}, signal ${signal}`)));
    first.child.kill("SIGTERM");
    const how = await exited;
    expect(how, first.output()).toBe("code 0, signal null");
    const dashboard = new ExternalRouter({ db, place: { service: slug, environment: "staging" }, verifyTimeoutMs: 300 });
    expect(await dashboard.servedWeight()).toBeNull();
    expect(await dashboard.verifyWeight(target, 100)).toBe(false);
    await expect(http.get(routerUrl)).rejects.toThrow();

    // A new router process applies the stored 100% before it listens: its first answer is the canary's.
    const second = await startRouter();
    expect((await http.get(routerUrl)).side).toBe("canary");
    expect(await dashboard.servedWeight()).toEqual({ runId: target.runId, percent: 100 });

    // Frozen (no heartbeat for longer than the staleness limit): the dashboard treats it as unreachable.
    second.child.kill("SIGSTOP");
    try {
      await eventually(async () => (await dashboard.servedWeight()) === null, 15_000);
    } finally {
      second.child.kill("SIGCONT");
    }
    await eventually(async () => (await dashboard.servedWeight()) !== null, 15_000);
  }, 120_000);
});
