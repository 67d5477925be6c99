import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decryptSecret, encryptSecret } from "../../../secrets.ts";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";
import { checkContext, closedPort, probed } from "./context.fixture.ts";
import { createPostDeployRunner, postDeployRunner } from "./post-deploy-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

const databaseUrl = inject("databaseUrl");
const masterSecret = "post-deploy-test-session-secret";
const runner = createPostDeployRunner({ decrypt: (stored) => decryptSecret(stored, masterSecret) });

// The deployed service's health endpoints and a dependency, on a local server.
let base: string;
let close: () => Promise<void>;
beforeAll(async () => {
  const server = createServer((req, res) => {
    switch (req.url) {
      case "/healthz":
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ status: "ok", version: "1.5.0" }));
        return;
      case "/broken":
        res.statusCode = 500;
        res.end("database pool exhausted");
        return;
      case "/slow":
        setTimeout(() => res.end("ok, eventually"), 300);
        return;
      case "/hang":
        return; // never answers
      case "/old-version":
        res.end(JSON.stringify({ status: "ok", version: "1.4.0" }));
        return;
      default:
        res.statusCode = 404;
        res.end("not found");
    }
  });
  const listening = await listenOnLoopback(server);
  base = `http://127.0.0.1:${listening.port}`;
  close = listening.close;
});
afterAll(() => close());

describe("post-deploy-health configuration", () => {
  it("is not configured without a configuration or with empty sections", async () => {
    for (const config of [undefined, null, {}, { endpoints: [], dependencies: [] }]) {
      const { ctx, progress } = checkContext(config);
      const result = probed(await judgedRun(postDeployRunner, ctx));
      expect(result.status).toBe("not_configured");
      expect(progress).toEqual([100]);
    }
  });

  it("reports an invalid configuration as an error with the schema's message, never a pass", async () => {
    const cases = [
      { config: { endpoints: [{ url: "ftp://files.example.test/health" }] }, message: "Enter an http:// or https:// URL" },
      { config: { tls: { host: "shop.example.test", warnDays: 5, failDays: 10 } }, message: "tls.failDays must not exceed tls.warnDays" },
      { config: { dns: { name: "shop.example.test", type: "A", expected: ["203.0.113.10"], resolvers: ["resolver.example.test:53"] } }, message: "Enter a resolver as ip or ip:port" },
      { config: { endpoint: [{ url: "http://127.0.0.1:1/" }] }, message: 'Unrecognized key: "endpoint"' },
    ];
    for (const { config, message } of cases) {
      const { ctx, progress } = checkContext(config);
      const result = probed(await judgedRun(runner, ctx));
      expect(result.status).toBe("error");
      expect(result.summary).toContain(message);
      expect(progress).toEqual([100]);
    }
  });
});

describe("HTTP endpoints and dependencies", () => {
  it("passes healthy endpoints with progress to 100% and a log line per probe", async () => {
    const { ctx, logs, progress } = checkContext({
      endpoints: [{ url: `${base}/healthz`, bodyContains: '"version":"1.5.0"' }],
      dependencies: [{ name: "payments", url: `${base}/healthz` }],
    });
    const result = probed(await judgedRun(runner, ctx));
    expect(result).toMatchObject({ status: "passed", findings: [] });
    // Every sub-check has its slice of the bar (endpoints, database, dependencies, TLS, DNS); it only moves forward.
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress).toContain(20); // the endpoint's slice done
    expect(logs.some((l) => l.includes(`${base}/healthz: 200 in`))).toBe(true);
  });

  it("fails on a 500, a slow answer and a body without the expected text, with status, latency and snippet as evidence", async () => {
    const { ctx } = checkContext({
      endpoints: [
        { url: `${base}/broken` },
        { url: `${base}/slow`, maxLatencyMs: 100 },
        { url: `${base}/old-version`, bodyContains: '"version":"1.5.0"' },
      ],
    });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("failed");
    expect(result.findings).toHaveLength(3);
    const [broken, slow, body] = result.findings;
    expect(broken).toMatchObject({ severity: "high", message: `Endpoint ${base}/broken answered 500, expected 200` });
    expect(broken?.evidence).toMatch(/^status 500, \d+ ms, body: "database pool exhausted"$/);
    expect(slow?.severity).toBe("high");
    expect(slow?.message).toMatch(/took \d+ ms, limit 100 ms/);
    expect(Number(/(\d+) ms,/.exec(slow?.evidence ?? "")?.[1])).toBeGreaterThanOrEqual(300);
    expect(body?.severity).toBe("high");
    expect(body?.message).toContain('body does not contain ""version":"1.5.0""');
    expect(body?.evidence).toContain('"version":"1.4.0"');
  });

  it("reports a failing or unreachable dependency as medium, which does not fail the release", async () => {
    const port = await closedPort();
    const { ctx } = checkContext({
      dependencies: [
        { name: "payments", url: `${base}/broken` },
        { name: "identity", url: `http://user:hunter2@127.0.0.1:${port}/health` },
      ],
    });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("2 medium shown, not blocking");
    expect(result.findings.map((f) => f.severity)).toEqual(["medium", "medium"]);
    expect(result.findings[1]?.evidence).toContain("ECONNREFUSED");
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});

describe("cancellation", () => {
  it("stops probing as soon as the run is rolled back, and says it was cancelled, never a pass", async () => {
    const controller = new AbortController();
    const { ctx } = checkContext({ endpoints: [{ url: `${base}/hang` }, { url: `${base}/healthz` }] }, controller.signal);
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("run rolled back")), 100);
    const result = await judgedRun(runner, ctx);
    expect(result).toMatchObject({ status: "error", summary: expect.stringMatching(/^Could not run: remaining checks: cancelled before the checks finished: run rolled back/) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("database", () => {
  it("connects and runs SELECT 1 with a plain DSN and with an encrypted one", async () => {
    for (const database of [{ dsn: databaseUrl }, { dsnEncrypted: encryptSecret(databaseUrl, masterSecret) }]) {
      const { ctx, logs } = checkContext({ database });
      const result = probed(await judgedRun(runner, ctx));
      expect(result).toMatchObject({ status: "passed", findings: [] });
      expect(logs.some((l) => /SELECT 1 answered in \d+ ms/.test(l))).toBe(true);
    }
  });

  it("fails with 'database unreachable' and the error code on a wrong port, never showing the DSN", async () => {
    const dsn = `postgresql://release_bot:s3cret-pw@127.0.0.1:${await closedPort()}/orders_db`;
    const { ctx, logs } = checkContext({ database: { dsn } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("failed");
    expect(result.findings).toEqual([{ check: "database", severity: "high", message: "database unreachable", evidence: expect.stringContaining("error ECONNREFUSED") }]);
    const shown = JSON.stringify(result) + logs.join("\n");
    for (const secret of ["s3cret-pw", "release_bot", "orders_db", "postgresql://"]) expect(shown).not.toContain(secret);
  });

  it("reports the server's error code for a database that does not exist, without its name", async () => {
    const url = new URL(databaseUrl);
    url.pathname = "/no_such_release_db";
    const { ctx, logs } = checkContext({ database: { dsn: url.href } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("failed");
    expect(result.findings[0]?.evidence).toContain("error 3D000");
    expect(JSON.stringify(result) + logs.join("\n")).not.toContain("no_such_release_db");
  });

  it("says error, not passed, when the stored DSN does not decrypt", async () => {
    const { ctx } = checkContext({ database: { dsnEncrypted: encryptSecret(databaseUrl, "another-session-secret") } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("could not be decrypted");
  });
});
