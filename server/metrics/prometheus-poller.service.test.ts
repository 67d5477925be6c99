import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startDemoFleet, type DemoFleet } from "../../demo/fleet.ts";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import type { SessionUser } from "../auth/session.ts";
import type { RunState } from "../core/types.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { ZMetricSourceInput } from "../db/metric-source-schema.ts";
import { AnalysisLoop } from "../engine/analysis-loop.ts";
import { encryptSecret } from "../secrets.ts";
import { createRun } from "../services/runs.ts";
import { freePort } from "../testing/global-setup.ts";
import { eventually, makeService, makeUser, testEngine } from "../testing/harness.ts";
import { MetricsAggregator } from "./aggregator.ts";
import { PrometheusPoller } from "./prometheus-poller.ts";
import { testMetricSource, updateMetricSource, type MetricSourceTestResult } from "./prometheus-settings.ts";

// The real programs: Debian's Prometheus on loopback scraping two demo sample-service processes
// every second, the built-in router sending traffic to them, the engine and the analysis loop.
// The router's own observations go through the poller's router sink, as in main.ts, which drops
// those of runs Prometheus feeds: everything the analysis sees comes from Prometheus.
const SECRET = "prometheus-test-master-secret";
const url = inject("databaseUrl");
const db = connectDb(url);
const aggregator = new MetricsAggregator(() => Date.now());
const registry = new RouterRegistry();
const engine = testEngine(db, { routerFor: (kind, target) => registry.routerFor(kind, target) });
const loop = new AnalysisLoop({ db, aggregator, dispatch: (id, e) => engine.dispatch(id, e), publish: () => {}, clock: () => Date.now(), onError: () => {} });
const pollerErrors: string[] = [];
const poller = new PrometheusPoller({ db, sink: aggregator, clock: () => Date.now(), onError: (_w, e) => pollerErrors.push(String(e)), settleMs: 1_500, masterSecret: SECRET });

let fleet: DemoFleet;
let prometheus: { url: string; process: ChildProcess; dir: string };
let admin: SessionUser;
let rm: SessionUser;
let svc: Awaited<ReturnType<typeof makeService>>;
const envId = () => svc.environments.find((e) => e.name === "staging")?.id ?? "";

async function startPrometheus(job: string, targets: string[]): Promise<typeof prometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-prometheus-"));
  const port = await freePort();
  const config = path.join(dir, "prometheus.yml");
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: "${job}"\n    static_configs:\n      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]\n`);
  const child = spawn("/usr/bin/prometheus", [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await eventually(async () => child.exitCode === null && (await fetch(`${base}/-/ready`).then((r) => r.ok, () => false)), 30_000);
  } catch (e) {
    child.kill("SIGKILL");
    throw new Error(`prometheus did not become ready: ${String(e)}\n${stderr}`);
  }
  return { url: base, process: child, dir };
}

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  rm = await makeUser(db, "release_manager");
  svc = await makeService(db, { router: "builtin", holdScale: 1 });
  fleet = await startDemoFleet({ baselineVersion: "1.0.0", canaryVersion: "1.1.0", routerPort: 0, rps: 150, sink: poller.routerSink(aggregator), log: () => {} });
  registry.register(svc.slug, "staging", "builtin", fleet.router);
  prometheus = await startPrometheus(svc.slug, [fleet.services.baseline.port, fleet.services.canary.port].map((p) => `127.0.0.1:${p}`));
  await updateMetricSource(db, admin, { environmentId: envId(), metricSource: ZMetricSourceInput.parse({ kind: "prometheus", url: prometheus.url, intervalSeconds: 5, window: "30s" }) }, (v) => encryptSecret(v, SECRET));
  engine.start();
  loop.start();
  poller.start();
}, 90_000);

afterAll(async () => {
  poller.stop();
  await loop.stop();
  await engine.stop();
  await fleet?.stop();
  if (prometheus) {
    const exited = new Promise((r) => prometheus.process.once("exit", r));
    prometheus.process.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (prometheus.process.exitCode === null) prometheus.process.kill("SIGKILL");
    rmSync(prometheus.dir, { recursive: true, force: true });
  }
  await disconnectDb();
}, 30_000);

const state = async (id: string) => (await db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;

async function canaryHolding() {
  const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, rm, {
    serviceId: svc.id, environment: "staging", targetVersion: "1.1.0", strategy: "canary", risk: "low", compliance: "none",
  });
  await eventually(async () => (await state(run.id)).stepPhase === "holding", 20_000);
  return run;
}

const outcome = (r: MetricSourceTestResult, side: "baseline" | "canary", name: string) => r.sides[side].outcomes.find((o) => o.name === name);
const testNow = (metricSource: unknown) =>
  testMetricSource(db, admin, { environmentId: envId(), metricSource: ZMetricSourceInput.parse(metricSource), baselineVersion: "1.0.0", canaryVersion: "1.1.0" }, Date.now(), SECRET);

describe("Prometheus as a metric source", () => {
  it("tests the queries: numbers for both sides from the real histograms, or 'no data' for a version nobody serves", async () => {
    // Traffic reaches only the baseline until a run shifts some; the canary is hit directly here,
    // steadily, so that its counters rise between two scrapes.
    const hitting = setInterval(() => void fetch(`${fleet.services.canary.url}/api/checkout`).then((r) => r.arrayBuffer(), () => null), 50);
    const r = await eventually(async () => {
      const x = await testNow({ kind: "prometheus", url: prometheus.url, window: "30s" });
      return (outcome(x, "canary", "requests")?.value ?? 0) > 0 && (outcome(x, "baseline", "p95")?.value ?? null) !== null ? x : null;
    }, 30_000).finally(() => clearInterval(hitting));
    for (const side of ["baseline", "canary"] as const) {
      expect(outcome(r, side, "requests")?.value).toBeGreaterThan(0);
      expect(outcome(r, side, "errors")?.error).toBeUndefined();
      expect(outcome(r, side, "latencyBuckets")?.buckets).toBeGreaterThan(10);
    }
    // The demo's work time is lognormal around 9 ms (more on a loaded machine): quantiles in ms, ordered.
    const ms = (name: string) => outcome(r, "baseline", name)?.value ?? Number.NaN;
    expect(ms("p50")).toBeGreaterThan(4);
    expect(ms("p50")).toBeLessThan(ms("p95"));
    expect(ms("p95")).toBeLessThanOrEqual(ms("p99"));
    expect(ms("p99")).toBeLessThan(1_000);
    expect(outcome(r, "canary", "requests")?.query).toContain(`job="${svc.slug}",version="1.1.0"`);

    const unknown = await testMetricSource(db, admin, { environmentId: envId(), metricSource: ZMetricSourceInput.parse({ kind: "prometheus", url: prometheus.url }), baselineVersion: "1.0.0", canaryVersion: "9.9.9" }, Date.now(), SECRET);
    expect(outcome(unknown, "canary", "requests")).toMatchObject({ value: null });
    expect(outcome(unknown, "canary", "requests")?.error).toBeUndefined();
  }, 60_000);

  it("says exactly what is wrong: a refused connection, Prometheus' own error text, something that is not Prometheus", async () => {
    const closed = await freePort();
    const refused = await testNow({ kind: "prometheus", url: `http://127.0.0.1:${closed}` });
    expect(outcome(refused, "canary", "requests")?.error).toBe(`connection refused by 127.0.0.1:${closed} (is Prometheus listening there?)`);

    // Valid syntax (so the form accepts it) that Prometheus refuses on types: its message, verbatim.
    const typed = await testNow({ kind: "prometheus", url: prometheus.url, queries: { p95: "histogram_quantile(0.95, http_request_duration_seconds_bucket[{window}])" } });
    expect(outcome(typed, "baseline", "p95")?.error).toMatch(/^HTTP 400: bad_data: .*expected type instant vector in call to function "histogram_quantile", got range vector/);
    expect(outcome(typed, "baseline", "requests")?.value).toBeGreaterThan(0);

    const notPrometheus = await testNow({ kind: "prometheus", url: fleet.services.baseline.url });
    expect(outcome(notPrometheus, "baseline", "requests")?.error).toBe('HTTP 404: not a Prometheus answer ({"error":"not found"})');

    // Syntax errors and unknown placeholders never get that far: they are field errors.
    const bad = ZMetricSourceInput.safeParse({ kind: "prometheus", url: "ftp://x", queries: { requests: "sum(rate(x[{window}])", errors: 'sum(x{job="{svc}"})' } });
    expect(bad.success).toBe(false);
    const issues = Object.fromEntries((bad.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
    expect(issues["queries.requests"]).toMatch(/^not valid PromQL near position/);
    expect(issues["queries.errors"]).toBe("unknown placeholder {svc}; use {service}, {version}, {side}, {window}");
    expect(issues.url).toMatch(/http:\/\/ or https:\/\//);
  }, 60_000);

  it("feeds a clean canary into the analysis without rolling it back", async () => {
    await fleet.clearFault("canary");
    const run = await canaryHolding();
    try {
      // Three poll windows of 5 s: both sides are fed from Prometheus, and nothing is rolled back.
      const totals = await eventually(async () => {
        const t = aggregator.totals(run.id);
        return t && t.canary.requests > 20 && t.baseline.requests > 100 ? t : null;
      }, 30_000);
      expect(poller.feeds(run.id)).toBe(true);
      expect(totals.canary.errors).toBe(0);
      expect(totals.canary.latencyMs.p95).toBeGreaterThan(5);
      await new Promise((r) => setTimeout(r, 12_000));
      const s = await state(run.id);
      expect(s.status).not.toBe("rolled_back");
      expect(pollerErrors).toEqual([]);
    } finally {
      // The next run in this environment needs this one finished, whatever was asserted above.
      await engine.dispatch(run.id, { kind: "rollback", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
      await eventually(async () => ((await state(run.id)).status === "rolled_back" ? true : null), 20_000);
    }
  }, 90_000);

  it("rolls back a canary whose errors Prometheus reports, for the error-rate reason", async () => {
    const run = await canaryHolding();
    await new Promise((r) => setTimeout(r, 2_000));
    await fleet.setFault("canary", { errorRate: 0.5 });
    const t0 = Date.now();
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.status === "rolled_back" ? x : null;
    }, 45_000);
    await fleet.clearFault("canary");
    // A poll every 5 s, queried 1.5 s after its window closes: the decision waits for one or two windows.
    expect((Date.now() - t0) / 1000).toBeLessThan(25);
    expect(s.rollback?.trigger).toBe("error-rate");
    expect(s.rollback?.reason).toMatch(/Canary errors/);
  }, 90_000);

  it("rolls back a canary whose p95 latency Prometheus reports, for a latency reason", async () => {
    const run = await canaryHolding();
    await new Promise((r) => setTimeout(r, 2_000));
    await fleet.setFault("canary", { latencyMs: 150, latencyMode: "all" });
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.status === "rolled_back" ? x : null;
    }, 45_000);
    await fleet.clearFault("canary");
    expect(["latency-p95", "latency-p99"]).toContain(s.rollback?.trigger);
  }, 90_000);
  it("survives Prometheus going away: says why, backs off, and catches up the windows it missed", async () => {
    const run = await canaryHolding();
    const setUrl = (u: string) =>
      updateMetricSource(db, admin, { environmentId: envId(), metricSource: ZMetricSourceInput.parse({ kind: "prometheus", url: u, intervalSeconds: 5, window: "30s" }) }, (v) => encryptSecret(v, SECRET));
    try {
      const baseline = () => aggregator.totals(run.id)?.baseline.requests ?? 0;
      // One window's worth, measured: the jump at a normal poll.
      const first = await eventually(async () => (baseline() > 0 ? baseline() : null), 20_000);
      const second = await eventually(async () => (baseline() > first ? baseline() : null), 20_000);
      const perWindow = second - first;

      const closed = await freePort();
      pollerErrors.length = 0;
      await setUrl(`http://127.0.0.1:${closed}`);
      const complaint = await eventually(async () => pollerErrors.find((e) => e.includes("connection refused")), 20_000);
      expect(complaint).toContain(`connection refused by 127.0.0.1:${closed} (is Prometheus listening there?); retrying in 5 s`);
      await new Promise((r) => setTimeout(r, 10_000));
      const during = baseline();

      await setUrl(prometheus.url);
      // The missed windows come in at once (Prometheus kept the samples), not one per poll.
      const caughtUp = await eventually(async () => (baseline() - during >= 1.8 * perWindow ? baseline() : null), 6_000);
      expect(caughtUp - during).toBeGreaterThanOrEqual(1.8 * perWindow);
      expect((await state(run.id)).status).not.toBe("rolled_back");
    } finally {
      await setUrl(prometheus.url);
      await engine.dispatch(run.id, { kind: "rollback", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
      await eventually(async () => ((await state(run.id)).status === "rolled_back" ? true : null), 20_000);
    }
  }, 120_000);
});
