import { OpenFeature, type Client } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FlagRouter } from "../adapters/routers/flag/flag-router.ts";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import type { SessionUser } from "../auth/session.ts";
import type { RunState } from "../core/types.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { FlagCache } from "../services/flags.ts";
import { applyMetricsBatch, type TMetricSample } from "../services/ingest.ts";
import { createRun } from "../services/runs.ts";
import { eventually, makeService, makeUser, testEngine } from "../testing/harness.ts";
import { serveOfrep } from "../testing/ofrep-server.ts";
import { AnalysisLoop } from "./analysis-loop.ts";

// Issue 15, end to end: a flag run created like any run, the engine moving the flag through the
// flag router, 100 real OpenFeature clients (server SDK + OFREP provider) evaluating the flag over
// Flightdeck's OFREP handlers, and the analysis judging users on the new variant against the rest
// from metrics tagged with the variant each user was served.
const db = connectDb(inject("databaseUrl"));
const aggregator = new MetricsAggregator(() => Date.now());
const registry = new RouterRegistry();
registry.registerFlagRouter(new FlagRouter(db));
const engine = testEngine(db, { routerFor: (kind, target) => registry.routerFor(kind, target) });
const loop = new AnalysisLoop({ db, aggregator, dispatch: (id, e) => engine.dispatch(id, e), publish: () => {}, clock: () => Date.now(), onError: () => {} });
const cache = new FlagCache(db);
const CLIENTS = 100;
let origin = "";
let close: () => Promise<void> = async () => {};
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(db, "release_manager");
  // Flightdeck's OFREP handlers behind a real HTTP server on loopback, as the app routes mount them.
  ({ origin, close } = await serveOfrep(cache));
  engine.start();
  loop.start();
}, 60_000);
afterAll(async () => {
  await loop.stop();
  await engine.stop();
  await OpenFeature.close();
  await close();
  await disconnectDb();
});

const state = async (id: string) => (await db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;

/** A service whose staging has the flag new-checkout (off by default), with 1 s holds, and 100 OpenFeature clients reading it. */
async function storefront(name: string) {
  const svc = await makeService(db, { holdScale: 1 / 1800 });
  const staging = svc.environments.find((e) => e.name === "staging");
  if (!staging) throw new Error("no staging");
  await db.featureFlag.create({ data: { environmentId: staging.id, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off" } });
  const clients: Client[] = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const domain = `${name}-${i}`;
      await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl: `${origin}/api/flags/${svc.slug}/staging` }));
      return OpenFeature.getClient(domain);
    }),
  );
  /** Each client evaluates the flag for its own user: the variant each one gets now. */
  const variants = () => Promise.all(clients.map(async (c, i) => (await c.getBooleanDetails("new-checkout", false, { targetingKey: `${name}-user-${i}` })).variant ?? "error"));
  return { svc, variants };
}

/**
 * The users' traffic as their services report it: each client evaluates the flag, then its 20
 * requests are sent to the metrics API tagged with the variant it was served. `errorRateOf`
 * says which share of a variant's requests fail.
 */
function reportTraffic(runId: string, variants: () => Promise<string[]>, errorRateOf: (variant: string) => number) {
  let stopped = false;
  let batches = 0;
  const done = (async () => {
    while (!stopped) {
      const served = await variants();
      if (aggregator.watching(runId)) {
        const samples: TMetricSample[] = served.flatMap((variant) =>
          Array.from({ length: 20 }, (_, k): TMetricSample => ({ type: "request", variant, status: k < 20 * errorRateOf(variant) ? 500 : 200, latencyMs: 20 + ((k * 7) % 13) })),
        );
        await applyMetricsBatch(db, aggregator, { runId, samples }).catch(() => {}); // the run may just have left its rollout
        batches++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    batches: () => batches,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const share = (served: string[], variant: string) => served.filter((v) => v === variant).length / served.length;

describe("a flag run rolled out to real OpenFeature clients", () => {
  it("goes 5% → 50% → 100% of users on the analysis' evidence, each user keeping the new variant once they have it, and releases it as the flag's default", async () => {
    const { svc, variants } = await storefront("flagrun-a");
    expect(share(await variants(), "off")).toBe(1);
    const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, rm, {
      serviceId: svc.id, environment: "staging", kind: "flag", flag: { key: "new-checkout", variant: "on" }, strategy: "canary", risk: "low", compliance: "none",
    });
    const traffic = reportTraffic(run.id, variants, () => 0);
    try {
      // What the clients get while each step holds.
      const seen = new Map<number, string[]>();
      let previousOn = new Set<number>();
      for (const [step, percent] of [[0, 5], [1, 50], [2, 100]] as const) {
        await eventually(async () => {
          const s = await state(run.id);
          return (s.stepIndex === step && s.stepPhase === "holding") || s.stepIndex > step || s.status !== "running";
        }, 60_000);
        const s = await state(run.id);
        expect(s.status, `step ${step}: ${s.outcome ?? ""}`).toBe("running");
        expect(s.canaryPercent).toBe(percent);
        // The flag cache refreshes within 250 ms: then every client sees the step's split.
        await new Promise((r) => setTimeout(r, 400));
        const served = await variants();
        seen.set(percent, served);
        const on = new Set(served.flatMap((v, i) => (v === "on" ? [i] : [])));
        // Sticky by targeting key: nobody who had the new variant loses it as the share grows.
        for (const i of previousOn) expect(on.has(i), `user ${i} at ${percent}%`).toBe(true);
        previousOn = on;
        expect(served.every((v) => v === "on" || v === "off")).toBe(true);
      }
      // (Bucketing is deterministic: these 100 users put a few on the new variant at 5%.)
      expect(share(seen.get(5) ?? [], "on")).toBeGreaterThan(0);
      expect(share(seen.get(5) ?? [], "on")).toBeLessThanOrEqual(0.15);
      expect(share(seen.get(50) ?? [], "on")).toBeGreaterThan(0.3);
      expect(share(seen.get(50) ?? [], "on")).toBeLessThan(0.7);
      expect(share(seen.get(100) ?? [], "on")).toBe(1);

      const finished = await eventually(async () => {
        const s = await state(run.id);
        return s.status === "succeeded" ? s : null;
      }, 60_000);
      expect(finished.phase).toBe("done");
      // Each step advanced on evidence from the variant-tagged metrics, not on the hold alone.
      const advances = await db.decision.findMany({ where: { runId: run.id, verdict: "advance" }, orderBy: { createdAt: "asc" } });
      expect(advances.filter((d) => d.trigger === "analysis").length).toBeGreaterThanOrEqual(2);
      expect(traffic.batches()).toBeGreaterThan(0);
      // Released: the new variant is the flag's default, and the service's version is untouched.
      const staging = svc.environments.find((e) => e.name === "staging");
      expect(await db.featureFlag.findFirstOrThrow({ where: { environmentId: staging?.id, key: "new-checkout" } })).toMatchObject({ defaultVariant: "on", rolloutPercent: 0 });
      expect((await db.service.findUniqueOrThrow({ where: { id: svc.id } })).currentVersion).toBe("1.0.0");
      await new Promise((r) => setTimeout(r, 400));
      expect(share(await variants(), "on")).toBe(1);
    } finally {
      await traffic.stop();
    }
  }, 180_000);

  it("rolls back when users on the new variant see errors, says so with the variants' evidence, and every client gets the old variant again within 2 s", async () => {
    const { svc, variants } = await storefront("flagrun-b");
    const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, rm, {
      serviceId: svc.id, environment: "staging", kind: "flag", flag: { key: "new-checkout", variant: "on" }, strategy: "canary", risk: "low", compliance: "none",
    });
    // The new variant's checkout fails for 40% of its requests; the old one is healthy.
    const traffic = reportTraffic(run.id, variants, (v) => (v === "on" ? 0.4 : 0));
    try {
      const ended = await eventually(async () => {
        const s = await state(run.id);
        return s.status === "rolled_back" ? s : null;
      }, 60_000);
      expect(ended.rollback?.trigger).toBe("error-rate");
      expect(ended.rollback?.reason).toMatch(/^Users on new-checkout=on against off: Canary errors \d+(\.\d+)?%/);
      const decision = await db.decision.findFirstOrThrow({ where: { runId: run.id, verdict: "rollback" } });
      expect(decision.reason).toContain("Users on new-checkout=on against off");
      // Every client evaluates the old variant again, from the rollback decision on, inside the 2 s.
      await eventually(async () => share(await variants(), "off") === 1, 5_000);
      const propagationMs = Date.now() - decision.createdAt.getTime();
      console.info(`[flag run] rollback decision → all ${CLIENTS} OpenFeature clients on off: ${propagationMs} ms`);
      expect(propagationMs).toBeLessThan(2_000);
      const staging = svc.environments.find((e) => e.name === "staging");
      expect(await db.featureFlag.findFirstOrThrow({ where: { environmentId: staging?.id, key: "new-checkout" } })).toMatchObject({ defaultVariant: "off", rolloutPercent: 0 });
    } finally {
      await traffic.stop();
    }
  }, 120_000);
});
