import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import { BuiltinRouter } from "../adapters/routers/builtin/builtin-router.ts";
import { client, listen } from "../adapters/routers/builtin/test-helpers.ts";
import type { RunState } from "../core/types.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { AnalysisLoop } from "./analysis-loop.ts";
import { createRun } from "../services/runs.ts";
import { saveRegions } from "../services/regions.ts";
import { ZRegionsInput } from "../services/regions-schema.ts";
import { eventually, makeService, makeUser, testEngine } from "../testing/harness.ts";
import type { SessionUser } from "../auth/session.ts";

// Region-by-region runs on real routers: two regions, each a built-in router on loopback in front
// of its own baseline and canary servers, steady traffic through both, the engine and the analysis.
const url = inject("databaseUrl");
const db = connectDb(url);
const aggregator = new MetricsAggregator(() => Date.now());
const registry = new RouterRegistry();
const engine = testEngine(db, { routerFor: (kind, target) => registry.routerFor(kind, target) });
const loop = new AnalysisLoop({ db, aggregator, dispatch: (id, e) => engine.dispatch(id, e), publish: () => {}, clock: () => Date.now(), onError: () => {} });

type Region = { name: string; router: BuiltinRouter; url: string; fault: { canaryErrors: boolean }; close: () => Promise<void> };
const regions: Region[] = [];
let rm: SessionUser;
let admin: SessionUser;
let traffic = true;
let load: Promise<void>;

async function startRegion(name: string): Promise<Region> {
  const fault = { canaryErrors: false };
  const baseline = await listen((_req, res) => res.end("baseline"));
  const canary = await listen((_req, res) => {
    res.statusCode = fault.canaryErrors ? 500 : 200;
    res.end("canary");
  });
  const router = new BuiltinRouter({ listenPort: 0, upstreams: { baseline: baseline.url, canary: canary.url }, sink: aggregator, region: name });
  await router.start();
  const close = async () => {
    await router.stop();
    await baseline.close();
    await canary.close();
  };
  return { name, router, url: router.address()?.url ?? "", fault, close };
}

beforeAll(async () => {
  rm = await makeUser(db, "release_manager");
  admin = await makeUser(db, "admin");
  regions.push(await startRegion("eu-west"), await startRegion("ap-southeast"));
  const http = client();
  // ~100 requests a second through each region's router, as new clients (no cookie): the split is the weight.
  load = (async () => {
    while (traffic) {
      await Promise.all(regions.map((r) => http.get(`${r.url}/`).catch(() => null)));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  engine.start();
  loop.start();
}, 60_000);
afterAll(async () => {
  traffic = false;
  await load;
  await loop.stop();
  await engine.stop();
  await Promise.all(regions.map((r) => r.close()));
  await disconnectDb();
});

const state = async (id: string) => (await db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;
const served = async (r: Region) => (await r.router.servedWeight())?.percent;
const eu = () => regions[0] as Region;
const ap = () => regions[1] as Region;
const regionStates = (s: RunState) => s.regionPlan?.regions.map((r) => [r.name, r.state]);
const promote = (runId: string) => engine.dispatch(runId, { kind: "promote", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "region looks healthy" });

/** A service whose staging has both regions (no window unless given), a run started on it, holding at eu-west's 5%. */
async function regionRun(opts: { rollbackReleasedRegions?: boolean; sydneyWindow?: { days: number[]; from: string; to: string } } = {}) {
  const svc = await makeService(db, { holdScale: 1 });
  await saveRegions(
    db,
    admin,
    ZRegionsInput.parse({
      serviceId: svc.id,
      environment: "staging",
      policy: { rollbackReleasedRegions: opts.rollbackReleasedRegions ?? false },
      regions: [
        { name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [], router: { kind: "builtin", listenPort: 1, baselineUrl: "http://127.0.0.1:1", canaryUrl: "http://127.0.0.1:2" } },
        { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney", windows: opts.sydneyWindow ? [opts.sydneyWindow] : [], router: { kind: "builtin", listenPort: 2, baselineUrl: "http://127.0.0.1:1", canaryUrl: "http://127.0.0.1:2" } },
      ],
    }),
  );
  for (const r of regions) registry.register(svc.slug, "staging", "builtin", r.router, undefined, r.name);
  const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, rm, {
    serviceId: svc.id, environment: "staging", targetVersion: "1.1.0", strategy: "canary", risk: "low", compliance: "none",
  });
  await eventually(async () => (await state(run.id)).stepPhase === "holding", 20_000);
  return run;
}

/** Promotes eu-west's three steps (evidence is not what this test is about); ap-southeast then starts. */
async function releaseEuWest(runId: string): Promise<RunState> {
  for (let step = 0; step < 3; step++) {
    await eventually(async () => {
      const s = await state(runId);
      return s.stepIndex === step && s.stepPhase === "holding" ? s : null;
    }, 20_000);
    await promote(runId);
  }
  return state(runId);
}

describe("a region-by-region run on real routers", () => {
  it("goes wave by wave; a fault only in the second region is rolled back there with its evidence, the first keeps the release", async () => {
    for (const r of regions) r.fault.canaryErrors = false;
    const run = await regionRun();
    let s = await state(run.id);
    expect(regionStates(s)).toEqual([["eu-west", "active"], ["ap-southeast", "pending"]]);
    expect(await served(eu())).toBe(5);
    expect(await served(ap())).toBe(0);
    expect((await db.rolloutStep.findMany({ where: { runId: run.id }, orderBy: { index: "asc" } })).map((x) => x.region)).toEqual(["eu-west", "eu-west", "eu-west", "ap-southeast", "ap-southeast", "ap-southeast"]);

    s = await releaseEuWest(run.id);
    s = await eventually(async () => {
      const x = await state(run.id);
      return x.stepIndex === 3 && x.stepPhase === "holding" ? x : null;
    }, 20_000);
    expect(regionStates(s)).toEqual([["eu-west", "released"], ["ap-southeast", "active"]]);
    expect(await served(eu())).toBe(100);
    expect(await served(ap())).toBe(5);

    ap().fault.canaryErrors = true;
    s = await eventually(async () => {
      const x = await state(run.id);
      return x.status === "rolled_back" ? x : null;
    }, 30_000);
    ap().fault.canaryErrors = false;
    expect(regionStates(s)).toEqual([["eu-west", "released"], ["ap-southeast", "failed"]]);
    expect(s.rollback?.trigger).toBe("error-rate");
    expect(await served(ap())).toBe(0);
    expect(await served(eu())).toBe(100);
    // The evidence belongs to ap-southeast: the rollback decision and the analysis that decided it.
    const rollback = await db.decision.findFirst({ where: { runId: run.id, verdict: "rollback" } });
    expect(rollback?.region).toBe("ap-southeast");
    const last = await db.analysisEvaluation.findFirst({ where: { runId: run.id }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ verdict: "rollback", region: "ap-southeast" });
    const revert = await db.decision.findMany({ where: { runId: run.id, region: "eu-west" } });
    expect(revert.length).toBeGreaterThan(0);
  }, 120_000);

  it("with rollbackReleasedRegions, the first region is rolled back too", async () => {
    const run = await regionRun({ rollbackReleasedRegions: true });
    await releaseEuWest(run.id);
    await eventually(async () => {
      const x = await state(run.id);
      return x.stepIndex === 3 && x.stepPhase === "holding" ? x : null;
    }, 20_000);
    ap().fault.canaryErrors = true;
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.status === "rolled_back" ? x : null;
    }, 30_000);
    ap().fault.canaryErrors = false;
    expect(regionStates(s)).toEqual([["eu-west", "rolledBack"], ["ap-southeast", "failed"]]);
    expect(await served(eu())).toBe(0);
    expect(await served(ap())).toBe(0);
    expect(s.rollback?.steps.find((x) => x.kind === "revert_traffic")?.detail).toBe("ap-southeast: canary weight 0%, verified; eu-west: canary weight 0%, verified");
  }, 120_000);

  it("a closed window makes the run wait between waves, saying until when in the region's local time", async () => {
    // A window that is closed now: a one-hour window starting two hours from now, Sydney time.
    const sydneyHour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Australia/Sydney", hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const from = (sydneyHour + 2) % 24;
    const window = { days: [1, 2, 3, 4, 5, 6, 7], from: `${String(Math.min(from, 22)).padStart(2, "0")}:00`, to: `${String(Math.min(from, 22) + 1).padStart(2, "0")}:00` };
    const run = await regionRun({ sydneyWindow: window });
    await releaseEuWest(run.id);
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.regionWait ? x : null;
    }, 20_000);
    expect(regionStates(s)).toEqual([["eu-west", "released"], ["ap-southeast", "pending"]]);
    expect(s.regionWait?.message).toMatch(new RegExp(`^Waiting for ap-southeast's window \\(Mon–Sun ${window.from}–${window.to} local time\\): opens .*${window.from}.*\\(Australia/Sydney\\)$`));
    expect(await served(eu())).toBe(100);
    expect(await served(ap())).toBe(0);
    const waiting = await db.decision.findFirst({ where: { runId: run.id, trigger: "region-window" } });
    expect(waiting).toMatchObject({ verdict: "hold", region: "ap-southeast" });
    await engine.dispatch(run.id, { kind: "rollback", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
  }, 60_000);
});
