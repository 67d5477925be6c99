import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BuiltinRouter } from "../adapters/routers/builtin/builtin-router.ts";
import { ArraySink, client, listen } from "../adapters/routers/builtin/test-helpers.ts";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import { receiverPerTest } from "../adapters/routers/webhook/webhook-receiver.fixture.ts";
import { WebhookRouter } from "../adapters/routers/webhook/webhook-router.ts";
import type { SessionUser } from "../auth/session.ts";
import { feed, inRollout } from "../core/testing.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { insertRun } from "../db/run-repository.ts";
import { eventually, makeEngine, makeService, makeUser } from "../testing/harness.ts";
import { WeightReconciler } from "./weight-reconciler.ts";

// A router that restarts with the process forgets its weight; the run's row remembers it. The
// reconciler must put the run's weight back on real traffic, say so in the audit trail, and
// otherwise leave the router alone.
const db = connectDb(inject("databaseUrl"));
const http = client();
const registry = new RouterRegistry();
const errors: unknown[] = [];
const reconciler = new WeightReconciler({ db, routerFor: (kind, target) => registry.routerFor(kind, target), onError: (_where, e) => errors.push(e), periodMs: 2_000 });
const routers: BuiltinRouter[] = [];
let upstreams: { baseline: string; canary: string };
let closeUpstreams: () => Promise<void>;
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(db, "release_manager");
  const baseline = await listen((_req, res) => res.end("baseline"));
  const canary = await listen((_req, res) => res.end("canary"));
  upstreams = { baseline: baseline.url, canary: canary.url };
  closeUpstreams = async () => {
    await Promise.all([baseline.close(), canary.close()]);
  };
});
afterAll(async () => {
  await reconciler.stop();
  await Promise.all(routers.map((r) => r.stop(0)));
  await closeUpstreams();
  await http.close();
  await disconnectDb();
});

/** A built-in router as a restarted process has it: listening, no run, 0% to the canary. */
async function freshRouter(listenPort = 0): Promise<BuiltinRouter> {
  const router = new BuiltinRouter({ listenPort, upstreams, sink: new ArraySink() });
  await router.start();
  routers.push(router);
  return router;
}

/** A staging canary on the built-in router (or another), holding its first step at 5% (its hold far away). */
async function runHoldingFivePercent(router: "builtin" | "webhook" = "builtin") {
  const svc = await makeService(db, { router });
  const staging = svc.environments.find((e) => e.name === "staging");
  if (!staging) throw new Error("makeService made no staging environment");
  const rollout = inRollout({ router, service: svc.slug, environment: "staging", baselineVersion: "1.0.0", targetVersion: "1.1.0", createdBy: rm.id });
  const state = feed(rollout, [{ kind: "weightApplied", stepIndex: 0, percent: 5 }], Date.now()).state;
  state.holdEndsAt = Date.now() + 24 * 3_600_000;
  const run = await db.$transaction((tx) => insertRun(tx, { serviceId: svc.id, environmentId: staging.id, createdById: rm.id }, state));
  const target = { runId: run.id, service: svc.slug, environment: "staging" as const, baseline: "1.0.0", canary: "1.1.0" };
  return { run, svc, target };
}

const canaryShare = async (router: BuiltinRouter, n = 600) => {
  const url = router.address()?.url;
  if (!url) throw new Error("router not listening");
  const answers = await http.many(url, n);
  return answers.filter((a) => a.body === "canary").length / n;
};
const reconciled = (runId: string) => db.auditEvent.findMany({ where: { runId, action: "router.weight_reconciled" }, orderBy: { id: "asc" } });

describe("the weight reconciler", () => {
  it("puts the run's 5% back on a router that restarted at 0%, within one period, and audits it", async () => {
    const { run, svc, target } = await runHoldingFivePercent();
    const router = await freshRouter();
    registry.register(svc.slug, "staging", "builtin", router);
    expect(await canaryShare(router)).toBe(0); // the measured fault: every request on the baseline

    const started = Date.now();
    reconciler.start();
    await eventually(async () => (await router.verifyWeight(target, 5)) || null, 2_500);
    expect(Date.now() - started).toBeLessThan(2_500);
    const share = await canaryShare(router);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.12);
    const audit = await eventually(async () => ((await reconciled(run.id)).length === 1 ? reconciled(run.id) : null));
    expect(audit[0]?.summary).toBe(`Router for ${svc.slug}/staging sent 0% to the canary; the run holds 5%: re-applied`);
    expect(audit[0]?.actorName).toBe("Flightdeck engine");

    // The process dies again: a new router on the same port starts empty; the next pass restores it.
    const port = router.address()?.port ?? 0;
    await router.stop(0);
    const restarted = await freshRouter(port);
    registry.register(svc.slug, "staging", "builtin", restarted);
    const again = Date.now();
    await eventually(async () => (await restarted.verifyWeight(target, 5)) || null, 3_000);
    expect(Date.now() - again).toBeLessThanOrEqual(2_500);
    expect(await canaryShare(restarted)).toBeGreaterThan(0.01);
    expect(await eventually(async () => ((await reconciled(run.id)).length === 2 ? true : null))).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  it("leaves a router that serves the run's weight alone, and writes nothing", async () => {
    const { run, svc, target } = await runHoldingFivePercent();
    const router = await freshRouter();
    await router.setWeight(target, 5);
    registry.register(svc.slug, "staging", "builtin", router);
    const mine = (await reconciler.reconcileAll()).filter((c) => c.runId === run.id);
    expect(mine).toEqual([]);
    expect(await reconciled(run.id)).toEqual([]);
    expect(router.state()).toMatchObject({ runId: run.id, percent: 5 });
  });

  it("tells a webhook router's deploy system the run's weight once after a start, since it cannot be asked", async () => {
    const { run, svc } = await runHoldingFivePercent("webhook");
    const deploySystem = await receiverPerTest()((d) => (JSON.parse(d.body).event === "verifyWeight" ? { status: 200, body: '{"percent":5}' } : { status: 204 }));
    const webhooks = new RouterRegistry();
    webhooks.register(svc.slug, "staging", "webhook", new WebhookRouter({ url: deploySystem.url, secret: "shared-with-the-deploy-system" }));
    const afterStart = new WeightReconciler({ db, routerFor: (kind, target) => webhooks.routerFor(kind, target), onError: (_where, e) => errors.push(e) });
    const first = (await afterStart.reconcileAll()).filter((c) => c.runId === run.id);
    expect(first).toMatchObject([{ percent: 5, verified: true }]);
    const told = deploySystem.deliveries.map((d) => JSON.parse(d.body) as { event: string; percent: number; runId: string });
    expect(told.filter((e) => e.event === "setWeight")).toEqual([expect.objectContaining({ runId: run.id, percent: 5 })]);
    expect((await reconciled(run.id))[0]?.summary).toBe(`Router for ${svc.slug}/staging cannot report its weight; after a restart, the run's 5% to the canary was re-applied`);

    await afterStart.reconcileAll();
    expect(deploySystem.deliveries).toHaveLength(told.length); // not every period: the deploy system keeps its own state
  });

  it("leaves the traffic to the engine while a step is shifting", async () => {
    const { run, svc, target } = await runHoldingFivePercent();
    const router = await freshRouter();
    await router.setWeight(target, 5);
    registry.register(svc.slug, "staging", "builtin", router);
    // A person promotes: the run now asks for 50%, which the engine's effect is about to set.
    const h = makeEngine(inject("databaseUrl")); // not started: its effect stays in the outbox
    const promoted = await h.engine.dispatch(run.id, { kind: "promote", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "looks healthy" });
    expect(promoted.ok).toBe(true);
    await router.setWeight({ ...target, runId: "someone-else" }, 0); // and the router restarted meanwhile
    const mine = (await reconciler.reconcileAll()).filter((c) => c.runId === run.id);
    expect(mine).toEqual([]);
    expect(router.state().percent).toBe(0);
    expect(await reconciled(run.id)).toEqual([]);
    // No engine of a later test file should carry out this test's weight change.
    await db.effect.updateMany({ where: { runId: run.id, status: "pending" }, data: { status: "done" } });
  });
});
