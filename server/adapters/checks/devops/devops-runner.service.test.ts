import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devopsContext, fixture, startLoopbackServer } from "./check-context.fixture.ts";
import { devopsRunner } from "./devops-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

// A real HTTP server on 127.0.0.1 plays the backup API and the baseline; real rule, flag and
// manifest files come from ./fixtures.
const HOUR = 3_600_000;
const goodManifests = { manifestPaths: [fixture("manifests-good")] };
let server: Awaited<ReturnType<typeof startLoopbackServer>>;

beforeAll(async () => {
  server = await startLoopbackServer({
    "/backup/fresh": () => ({ status: 200, body: JSON.stringify({ lastBackupAt: new Date(Date.now() - 2 * HOUR).toISOString() }) }),
    "/backup/stale": () => ({ status: 200, body: `${new Date(Date.now() - 30 * HOUR).toISOString()}\n` }),
    "/backup/garbage": { status: 200, body: "yesterday, around noon" },
    "/backup/broken": { status: 500, body: "backup catalog offline" },
    "/baseline/healthy": { status: 200, body: "ok" },
    "/baseline/down": { status: 503, body: "no healthy upstream" },
  });
});
afterAll(async () => {
  await server.close();
});

describe("configuration", () => {
  it("no configuration is not_configured", async () => {
    for (const config of [undefined, null, {}]) {
      expect((await judgedRun(devopsRunner, devopsContext(config))).status).toBe("not_configured");
    }
  });

  it("an invalid configuration is an error with zod's message", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: ["relative/k8s"], backup: { kind: "url", url: "ftp://backups", maxAgeHours: 24 } }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("Invalid devops-engineer configuration");
    expect(result.summary).toContain("must be an absolute path");
    expect(result.summary).toContain("must be an http(s) URL");
  });

  it("sub-checks left unconfigured are reported as not checked, never silently passed", async () => {
    const result = await judgedRun(devopsRunner, devopsContext(goodManifests));
    expect(result.status).toBe("passed");
    expect(result.findings.map((f) => [f.severity, f.message])).toEqual([
      ["info", "backup freshness not checked: not configured"],
      ["info", "alert rules not checked: not configured"],
      ["info", "rollback target not checked: not configured"],
      ["info", "feature flags not checked: not configured"],
    ]);
  });
});

describe("backup freshness", () => {
  it("a fresh backup (JSON) passes", async () => {
    const ctx = devopsContext({ ...goodManifests, backup: { kind: "url", url: server.url("/backup/fresh"), maxAgeHours: 24 } });
    const result = await judgedRun(devopsRunner, ctx);
    expect(result.findings.filter((f) => f.message.includes("backup"))).toEqual([]);
    expect(ctx.logs.some((l) => /last backup .* 2 h ago \(policy 24 h\)/.test(l))).toBe(true);
  });

  it("a stale backup (plain ISO text) is high, with its age and the policy", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, backup: { kind: "url", url: server.url("/backup/stale"), maxAgeHours: 24 } }));
    expect(result.status).toBe("failed");
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "high", message: "last backup 30 h ago (policy 24 h)" }));
  });

  it("an unparseable, failing or unreachable source is a high 'freshness unknown' finding", async () => {
    const closed = await startLoopbackServer({});
    const deadUrl = closed.url("/backup");
    await closed.close();
    for (const [url, evidence] of [
      [server.url("/backup/garbage"), /not an ISO 8601 date-time .*yesterday, around noon/],
      [server.url("/backup/broken"), /HTTP 500 "backup catalog offline"/],
      [deadUrl, /ECONNREFUSED|connect/],
    ] as const) {
      const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, backup: { kind: "url", url, maxAgeHours: 24 } }));
      expect(result.status).toBe("failed");
      const finding = result.findings.find((f) => f.message === "backup freshness unknown");
      expect(finding?.severity).toBe("high");
      expect(finding?.evidence).toMatch(evidence);
    }
  });

  it("reads the time from a command's output", async () => {
    const fresh = await judgedRun(devopsRunner, 
      devopsContext({ ...goodManifests, backup: { kind: "command", command: "/bin/sh", args: ["-c", "date -u +%Y-%m-%dT%H:%M:%SZ"], timeoutMs: 5_000, maxAgeHours: 1 } }),
    );
    expect(fresh.findings.filter((f) => f.message.includes("backup"))).toEqual([]);

    const failing = await judgedRun(devopsRunner, 
      devopsContext({ ...goodManifests, backup: { kind: "command", command: "/bin/sh", args: ["-c", "echo 'bucket not found' >&2; exit 2"], timeoutMs: 5_000, maxAgeHours: 1 } }),
    );
    expect(failing.findings).toContainEqual(expect.objectContaining({ severity: "high", message: "backup freshness unknown", evidence: "sh with 2 arguments: exited with code 2: bucket not found" }));
  });

  it("a hanging command is killed at its timeout and the freshness is unknown", async () => {
    const t0 = Date.now();
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, backup: { kind: "command", command: "/bin/sh", args: ["-c", "sleep 30"], timeoutMs: 300, maxAgeHours: 24 } }));
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(result.findings).toContainEqual(expect.objectContaining({ message: "backup freshness unknown", evidence: expect.stringContaining("timed out after 300 ms") }));
  });
});

describe("alert rules", () => {
  it("error-rate and latency alerts present: no findings", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, alertRulePaths: [fixture("alerts-complete")] }));
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(result.status).toBe("passed");
  });

  it("no latency alert is high; a latency recording rule does not count", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, alertRulePaths: [fixture("alerts-no-latency/service.rules.yml")] }));
    expect(result.status).toBe("failed");
    const alertFindings = result.findings.filter((f) => f.message.startsWith("no "));
    expect(alertFindings.map((f) => [f.severity, f.message.split(":")[0]])).toEqual([["high", "no latency alert"]]);
    expect(alertFindings[0]?.evidence).toContain("CheckoutHighErrorRate, CheckoutDown");
  });

  it("a manifest is not a rule file: error", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, alertRulePaths: [fixture("manifests-good/checkout.yaml")] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("alert rules: not a Prometheus rule file");
  });
});

describe("rollback target", () => {
  it("a baseline answering 200 passes; 503 is high 'rollback target not reachable'", async () => {
    const healthy = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, rollbackTarget: { url: server.url("/baseline/healthy") } }));
    expect(healthy.status).toBe("passed");

    const down = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, rollbackTarget: { url: server.url("/baseline/down?token=s3cret") } }));
    expect(down.status).toBe("failed");
    const finding = down.findings.find((f) => f.message === "rollback target not reachable");
    expect(finding?.severity).toBe("high");
    expect(finding?.evidence).toContain('HTTP 503, expected 200 "no healthy upstream"');
    expect(finding?.evidence).not.toContain("s3cret");
  });

  it("a baseline that never answers is not reachable after 5 s", async () => {
    const t0 = Date.now();
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, rollbackTarget: { url: server.url("/baseline/hangs") } }));
    expect(Date.now() - t0).toBeLessThan(7_000);
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "high", message: "rollback target not reachable", evidence: expect.stringContaining("no answer within 5000 ms") }));
  });

  it("honours a configured expected status", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, rollbackTarget: { url: server.url("/baseline/down"), expectStatus: 503 } }));
    expect(result.status).toBe("passed");
  });
});

describe("feature flags", () => {
  it("each required flag missing from the file is medium", async () => {
    const result = await judgedRun(devopsRunner, 
      devopsContext({ ...goodManifests, featureFlags: { path: fixture("flags/flags.json"), required: ["new-checkout-flow", "express-shipping", "gift-cards", "loyalty-points"] } }),
    );
    expect(result.status).toBe("passed"); // medium does not block
    expect(result.findings.filter((f) => f.message.startsWith("feature flag")).map((f) => [f.severity, f.message])).toEqual([
      ["medium", "feature flag gift-cards is not configured"],
      ["medium", "feature flag loyalty-points is not configured"],
    ]);
  });

  it("a missing flags file is an error", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, featureFlags: { path: fixture("flags/missing.json"), required: ["gift-cards"] } }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("cannot read feature flags file");
  });
});

describe("cancellation", () => {
  it("stops promptly while waiting on a backup endpoint that never answers", async () => {
    const controller = new AbortController();
    const ctx = devopsContext({ ...goodManifests, backup: { kind: "url", url: server.url("/backup/hangs"), maxAgeHours: 24 }, rollbackTarget: { url: server.url("/baseline/healthy") } }, { signal: controller.signal });
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error("run rolled back")), 200);
    const result = await judgedRun(devopsRunner, ctx);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/^Could not run: remaining checks: cancelled before the checks finished: run rolled back/);
    expect(ctx.logs.some((l) => l.startsWith("rollback target"))).toBe(false);
  });

  it("kills a running backup command on abort", async () => {
    const controller = new AbortController();
    const ctx = devopsContext({ ...goodManifests, backup: { kind: "command", command: "/bin/sh", args: ["-c", "sleep 30"], timeoutMs: 60_000, maxAgeHours: 24 } }, { signal: controller.signal });
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error("timed out after 300 ms")), 200);
    const result = await judgedRun(devopsRunner, ctx);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result.status).toBe("error");
    expect(result.summary).toContain("cancelled before the checks finished");
  });

  it("an already aborted run checks nothing", async () => {
    const ctx = devopsContext(goodManifests, { signal: AbortSignal.abort(new Error("aborted by on-call")) });
    const result = await judgedRun(devopsRunner, ctx);
    expect(result).toMatchObject({ status: "error", summary: "Could not run: remaining checks: cancelled before the checks finished: aborted by on-call", findings: [] });
  });
});
