import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectDb, disconnectDb } from "../../db/client.ts";
import type { RouteTarget } from "../../engine/ports.ts";
import { freePort } from "../../testing/global-setup.ts";
import { MemoryRouter } from "../memory.ts";
import { makeService } from "../../testing/harness.ts";
import { ArraySink, listen } from "./builtin/test-helpers.ts";
import { buildRouter } from "./build-router.ts";
import { RouterRegistry } from "./registry.ts";

// Real built-in routers on 127.0.0.1 in front of two real upstreams, configured through the database.
const db = connectDb(inject("databaseUrl"));
const sink = new ArraySink();
const build = (config: Parameters<typeof buildRouter>[0]) => buildRouter(config, { sink });
let baseline: Awaited<ReturnType<typeof listen>>;
let canary: Awaited<ReturnType<typeof listen>>;
const registry = new RouterRegistry();
const logged: string[] = [];
const log = (m: string) => logged.push(m);

beforeAll(async () => {
  baseline = await listen((_req, res) => res.end("baseline"));
  canary = await listen((_req, res) => res.end("canary"));
});
afterAll(async () => {
  await registry.stopManaged();
  await baseline.close();
  await canary.close();
  await disconnectDb();
});

const targetOf = (service: string): RouteTarget => ({ runId: "run-1", service, environment: "staging", baseline: "1.0.0", canary: "1.1.0" });

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return res.text();
}

describe("routers configured in the database", () => {
  it("starts a builtin router for an environment with settings, and stops it when they are cleared", async () => {
    const svc = await makeService(db, { router: "builtin" });
    const port = await freePort();
    const env = await db.environment.update({
      where: { serviceId_name: { serviceId: svc.id, name: "staging" } },
      data: { routerConfig: { kind: "builtin", listenPort: port, baselineUrl: baseline.url, canaryUrl: canary.url } },
    });

    const first = await registry.syncFromDb(db, build, log);
    expect(first.started).toContain(`${svc.slug}/staging`);
    expect(first.started).not.toContain(`${svc.slug}/production`); // no settings there: skipped
    const router = registry.routerFor("builtin", targetOf(svc.slug));
    expect(router).not.toBeNull();
    await router?.setWeight(targetOf(svc.slug), 100);
    expect(await get(port)).toBe("canary");
    expect(registry.routerFor("nginx", targetOf(svc.slug))).toBeNull(); // a run for another kind gets none

    // Unchanged settings: the same router keeps running.
    const again = await registry.syncFromDb(db, build, log);
    expect(again.started).not.toContain(`${svc.slug}/staging`);
    expect(registry.routerFor("builtin", targetOf(svc.slug))).toBe(router);

    await db.environment.update({ where: { id: env.id }, data: { routerConfig: {} } });
    const cleared = await registry.syncFromDb(db, build, log);
    expect(cleared.stopped).toContain(`${svc.slug}/staging`);
    expect(registry.routerFor("builtin", targetOf(svc.slug))).toBeNull();
    await expect(get(port)).rejects.toThrow(); // nothing listens any more
  });

  it("leaves a router the demo fleet registered alone", async () => {
    const svc = await makeService(db, { router: "builtin" });
    const demoRouter = new MemoryRouter();
    registry.register(svc.slug, "staging", "builtin", demoRouter);
    await db.environment.update({
      where: { serviceId_name: { serviceId: svc.id, name: "staging" } },
      data: { routerConfig: { kind: "builtin", listenPort: await freePort(), baselineUrl: baseline.url, canaryUrl: canary.url } },
    });
    const report = await registry.syncFromDb(db, build, log);
    expect(report.started).not.toContain(`${svc.slug}/staging`);
    expect(registry.routerFor("builtin", targetOf(svc.slug))).toBe(demoRouter);
    await db.environment.update({ where: { serviceId_name: { serviceId: svc.id, name: "staging" } }, data: { routerConfig: {} } });
    await registry.syncFromDb(db, build, log);
    expect(registry.routerFor("builtin", targetOf(svc.slug))).toBe(demoRouter);
    registry.unregister(svc.slug, "staging");
  });

  it("a router that cannot start is logged and not registered", async () => {
    const svc = await makeService(db, { router: "builtin" });
    const busy = await listen((_req, res) => res.end("someone else"));
    const busyPort = Number(new URL(busy.url).port);
    try {
      await db.environment.update({
        where: { serviceId_name: { serviceId: svc.id, name: "staging" } },
        data: { routerConfig: { kind: "builtin", listenPort: busyPort, baselineUrl: baseline.url, canaryUrl: canary.url } },
      });
      const report = await registry.syncFromDb(db, build, log);
      expect(report.failed.find((f) => f.key === `${svc.slug}/staging`)?.error).toMatch(/EADDRINUSE/);
      expect(registry.routerFor("builtin", targetOf(svc.slug))).toBeNull();
      expect(logged.some((m) => m.includes(`builtin router for ${svc.slug}/staging did not start`))).toBe(true);
    } finally {
      await db.environment.update({ where: { serviceId_name: { serviceId: svc.id, name: "staging" } }, data: { routerConfig: {} } });
      await busy.close();
    }
  });
});
