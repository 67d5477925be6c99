import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, systemsContext } from "./check-context.fixture.ts";
import { assessPool } from "./database-pool.ts";
import { systemsRunner } from "./systems-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real asset folders (./fixtures/bundle-small, plus copies grown at test time) and real settings files.
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "flightdeck-systems-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const fits = { replicas: 3, maxConnections: 100, reservedConnections: 3 };

describe("configuration", () => {
  it("no configuration is not_configured", async () => {
    for (const config of [undefined, null, {}]) {
      expect((await judgedRun(systemsRunner, systemsContext(config))).status).toBe("not_configured");
    }
  });

  it("an invalid configuration is an error with zod's messages", async () => {
    const result = await judgedRun(systemsRunner, 
      systemsContext({
        loadTest: { url: "ftp://staging", durationSeconds: 600, sla: { p95Ms: 100, p99Ms: 200 } },
        bundle: { dir: "dist", budgets: {} },
        databasePool: { poolMax: 10, settingsPath: "/srv/checkout/.env", replicas: 2, maxConnections: 100 },
      }),
    );
    expect(result.status).toBe("error");
    for (const why of ["Invalid systems-engineer configuration", "must be an http(s) URL", "must be an absolute path", "Give at least one budget", "one of them"]) {
      expect(result.summary).toContain(why);
    }
    expect(result.summary).toContain("Too big: expected number to be <=300; → at loadTest.durationSeconds");
  });

  it("memory needs a growth limit", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ memory: { metricsUrl: "http://127.0.0.1:9/metrics" } }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("Give memory.maxGrowthMb or memory.maxGrowthPercent");
  });

  it("parts left unconfigured are reported as not checked, never silently passed", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ databasePool: { poolMax: 10, connectionTimeoutMs: 5_000, idleTimeoutMs: 30_000, ...fits } }));
    expect(result.status).toBe("passed");
    expect(result.findings.filter((f) => f.message.endsWith("not configured")).map((f) => f.message)).toEqual([
      "load test not checked: not configured",
      "memory growth not checked: not configured",
      "asset budgets not checked: not configured",
    ]);
  });
});

describe("asset budgets", () => {
  it("a small build within its budgets passes and reports its sizes; source maps are not counted", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ bundle: { dir: fixture("bundle-small"), budgets: { totalGzipKb: 10, totalBrotliKb: 10, maxFileGzipKb: 5 } } }));
    expect(result.status).toBe("passed");
    const sizes = result.findings.find((f) => f.message.startsWith("assets:"));
    expect(sizes?.message).toMatch(/^assets: 4 file\(s\), [\d.]+ KiB raw, [\d.]+ KiB gzip, [\d.]+ KiB brotli$/);
    expect(sizes?.evidence).not.toContain(".map");
    expect(result.summary).toContain("asset budgets (4 file(s))");
  });

  it("an incompressible file breaks the budgets, and the findings name the largest contributors first", async () => {
    const dir = path.join(scratch, "bundle-big");
    await cp(fixture("bundle-small"), dir, { recursive: true });
    await writeFile(path.join(dir, "vendor.js"), `export const blob = "${randomBytes(96 * 1024).toString("base64")}";\n`);
    const result = await judgedRun(systemsRunner, systemsContext({ bundle: { dir, budgets: { totalGzipKb: 50, totalBrotliKb: 50, maxFileGzipKb: 20 } } }));
    expect(result.status).toBe("failed");
    const high = result.findings.filter((f) => f.severity === "high");
    expect(high.map((f) => f.message)).toEqual([
      expect.stringMatching(/^assets total 9\d\.\d KiB gzip, above the budget of 50 KiB$/),
      expect.stringMatching(/^assets total 9\d\.\d KiB brotli, above the budget of 50 KiB$/),
      "1 file(s) above the per-file budget of 20 KiB gzip",
    ]);
    expect(high[0]?.evidence).toMatch(/^largest \(gzip\): vendor\.js 9\d\.\d KiB, (chunks\/cart\.js|app\.js|index\.html|styles\.css) /);
    expect(high[2]?.evidence).toMatch(/^largest \(gzip\): vendor\.js 9\d\.\d KiB$/);
  });

  it("only the configured extensions count", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ bundle: { dir: fixture("bundle-small"), budgets: { totalGzipKb: 10 }, include: ["css"] } }));
    expect(result.findings.find((f) => f.message.startsWith("assets:"))?.message).toMatch(/^assets: 1 file\(s\)/);
  });

  it("a missing folder, or one without assets, cannot run", async () => {
    const empty = path.join(scratch, "empty-build");
    await mkdir(path.join(empty, "nested"), { recursive: true });
    await writeFile(path.join(empty, "nested", "README.md"), "build output goes here\n");
    for (const [dir, why] of [
      [path.join(scratch, "no-such-build"), "asset folder not found"],
      [empty, "no .js, .css, .html, .svg, .json, .wasm files under"],
    ] as const) {
      const result = await judgedRun(systemsRunner, systemsContext({ bundle: { dir, budgets: { totalGzipKb: 100 } } }));
      expect(result.status).toBe("error");
      expect(result.summary).toContain(`asset budgets: ${why}`);
    }
  });
});

describe("database pool", () => {
  const settings = { poolMax: 20, connectionTimeoutMs: 5_000, idleTimeoutMs: 30_000 };
  const blocking = (findings: ReturnType<typeof assessPool>) => findings.filter((f) => f.severity !== "info").map((f) => [f.severity, f.message]);

  it("pools that fit with a rollout replica to spare raise nothing", () => {
    // (3 + 1) × 20 = 80 ≤ 100 − 3
    const findings = assessPool(settings, fits, "configuration");
    expect(blocking(findings)).toEqual([]);
    expect(findings[0]?.message).toBe("database pool: up to 80 connection(s) during a rollout, of 97 available");
  });

  it("pools that fit only without the rollout replica are high", () => {
    const findings = assessPool({ ...settings, poolMax: 25 }, fits, "configuration");
    expect(blocking(findings)).toEqual([["high", "no room for the extra replica during a rollout: its connections would be refused"]]);
    expect(findings[1]?.evidence).toBe("(3 + 1 surge) replicas × pool max 25 = 100 connections > 97 available (max_connections 100 − 3 reserved)");
  });

  it("pools that do not even fit in steady state are high", () => {
    const findings = assessPool({ ...settings, poolMax: 40 }, fits, "configuration");
    expect(findings[1]).toEqual({ severity: "high", message: "the pools exceed the database's connection limit", evidence: "3 replica(s) × pool max 40 = 120 connections > 97 available (max_connections 100 − 3 reserved)" });
  });

  it("min above max is high; no connection timeout is medium; a pool of one is medium; no idle timeout is low", () => {
    expect(blocking(assessPool({ poolMax: 1, poolMin: 4, connectionTimeoutMs: 0 }, fits, "configuration"))).toEqual([
      ["high", "pool min is above pool max"],
      ["medium", "no connection timeout: when the pool is exhausted, requests wait for a connection forever"],
      ["medium", "a pool of one connection: each replica runs one query at a time, so one slow query stalls every request"],
      ["low", "idle connections are never closed: after a traffic spike every replica keeps its pool full"],
    ]);
  });

  it("reads the pool from the service's JSON settings", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ databasePool: { settingsPath: fixture("pool/fits.json"), ...fits } }));
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("database pool (3 replica(s) × pool max 10)");
  });

  it("reads the pool from a dotenv file and fails when it overflows", async () => {
    const ctx = systemsContext({ databasePool: { settingsPath: fixture("pool/overflow.env"), ...fits } });
    const result = await judgedRun(systemsRunner, ctx);
    expect(result.status).toBe("failed");
    expect(ctx.logs).toContain(`pool settings from ${fixture("pool/overflow.env")}: max 30, min 5, connection timeout – ms, idle timeout 10000 ms`);
    expect(blocking(result.findings)).toEqual([
      ["high", "no room for the extra replica during a rollout: its connections would be refused"],
      ["medium", "no connection timeout: when the pool is exhausted, requests wait for a connection forever"],
    ]);
  });

  it("a malformed settings file errors with the parser's message while the other checks still run", async () => {
    const result = await judgedRun(systemsRunner, 
      systemsContext({ databasePool: { settingsPath: fixture("pool/broken.json"), ...fits }, bundle: { dir: fixture("bundle-small"), budgets: { totalGzipKb: 1 } } }),
    );
    expect(result.status).toBe("failed"); // the broken budget; the pool could not be judged
    expect(result.summary).toMatch(/could not run: database pool: .*broken\.json is not valid JSON: .*(Expected|Unexpected)/);
    expect(result.findings.some((f) => f.severity === "high" && f.message.startsWith("assets total"))).toBe(true);
  });

  it("a settings file without a pool max, or with a non-number, cannot run", async () => {
    const noMax = path.join(scratch, "no-max.env");
    await writeFile(noMax, "DATABASE_URL=postgres://db/checkout\n");
    const wordy = path.join(scratch, "wordy.json");
    await writeFile(wordy, JSON.stringify({ pool: { max: "ten" } }));
    for (const [settingsPath, why] of [
      [noMax, "no pool max (looked for pool.max, database.pool.max"],
      [wordy, 'pool.max = "ten" is not a whole number'],
    ] as const) {
      const result = await judgedRun(systemsRunner, systemsContext({ databasePool: { settingsPath, ...fits } }));
      expect(result.status).toBe("error");
      expect(result.summary).toContain(why);
    }
  });
});
