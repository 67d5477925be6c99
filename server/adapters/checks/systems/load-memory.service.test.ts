import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusedUrl, startStagingService, systemsContext } from "./check-context.fixture.ts";
import { systemsRunner } from "./systems-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real HTTP services on 127.0.0.1 play the staging deployment; autocannon loads them for 1–1.5 s.
const generousSla = { p95Ms: 500, p99Ms: 1_000, maxErrorRate: 0.01 };
const short = { connections: 4, durationSeconds: 1 };
let fast: Awaited<ReturnType<typeof startStagingService>>;
let slowShare: Awaited<ReturnType<typeof startStagingService>>;
let failingShare: Awaited<ReturnType<typeof startStagingService>>;
let leaking: Awaited<ReturnType<typeof startStagingService>>;

beforeAll(async () => {
  fast = await startStagingService(() => ({ status: 200, delayMs: 0 }));
  // One request in ten takes 60 ms: the median stays fast, p95 and p99 do not.
  slowShare = await startStagingService((n) => ({ status: 200, delayMs: n % 10 === 0 ? 60 : 0 }));
  failingShare = await startStagingService((n) => ({ status: n % 10 === 0 ? 500 : 200, delayMs: 0 }));
  // 2 KiB kept per request: a few thousand requests grow the resident memory by several MiB.
  leaking = await startStagingService(() => ({ status: 200, delayMs: 0 }), 2_048);
});
afterAll(async () => {
  await Promise.all([fast, slowShare, failingShare, leaking].map((s) => s.close()));
});

describe("load test", () => {
  it("a fast service passes a generous SLA, with its numbers, progress and a log line per second", async () => {
    const ctx = systemsContext({ loadTest: { url: fast.url("/"), ...short, durationSeconds: 1.5, sla: generousSla } });
    const result = await judgedRun(systemsRunner, ctx);
    expect(result.status).toBe("passed");
    const info = result.findings.find((f) => f.message.startsWith("load test:"));
    expect(info?.message).toMatch(/^load test: [\d,]+ requests in [\d.]+ s, p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, error rate 0%$/);
    expect(info?.evidence).toBe(`GET ${fast.url("/")} with 4 connection(s), 1.5 s`);
    expect(ctx.logs.some((l) => /^load 1\/2 s: [\d,]+ req\/s, p95 so far [\d.]+ ms, 0 failed request\(s\)$/.test(l))).toBe(true);
    // the load test's slice (first quarter of the bar) moves while the load runs
    expect(ctx.progressSeen.some((p) => p > 0 && p < 25)).toBe(true);
  });

  it("a service slow for a share of requests fails p95 and p99, with the measured value, the SLA and n", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: slowShare.url("/"), ...short, sla: { p50Ms: 40, p95Ms: 30, p99Ms: 40 } } }));
    expect(result.status).toBe("failed");
    const breaches = result.findings.filter((f) => f.severity === "high");
    expect(breaches.map((f) => f.evidence.split(" ")[0])).toEqual(["p95", "p99"]);
    expect(breaches[0]?.evidence).toMatch(/^p95 \d+ ms > SLA 30 ms \(n = [\d,]+ requests\)$/);
    expect(breaches[0]?.message).toMatch(/^p95 latency \d+ ms under load, above the SLA of 30 ms$/);
  });

  it("a service answering 500 to one request in ten fails the error rate, with the statuses behind it", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: failingShare.url("/"), ...short, sla: generousSla } }));
    expect(result.status).toBe("failed");
    const errorRate = result.findings.find((f) => f.message.startsWith("error rate"));
    expect(errorRate?.severity).toBe("high");
    expect(errorRate?.evidence).toMatch(/^error rate (9\.\d+|10(\.\d+)?)% > SLA 1% \([\d,]+ of [\d,]+ requests failed: HTTP 500 × [\d,]+, 0 connection error\(s\), 0 timeout\(s\)\)$/);
  });

  it("a target that refuses connections cannot be load tested: error with the reason", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: await refusedUrl(), ...short, sla: generousSla } }));
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/load test: http:\/\/127\.0\.0\.1:\d+\/ did not answer before the load test: .*ECONNREFUSED/);
  });

  it("requests without an answer count as timeouts in the error rate", async () => {
    const hanging = await startStagingService((n) => (n > 1 && n % 25 === 0 ? null : { status: 200, delayMs: 0 }));
    try {
      const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: hanging.url("/"), ...short, durationSeconds: 2, requestTimeoutSeconds: 1, sla: generousSla } }));
      expect(result.status).toBe("failed");
      const errorRate = result.findings.find((f) => f.message.startsWith("error rate"));
      expect(errorRate?.evidence).toMatch(/0 connection error\(s\), [1-9]\d* timeout\(s\)\)$/);
    } finally {
      await hanging.close();
    }
  });

  it("a target that never answers is given up at the request timeout", async () => {
    const silent = await startStagingService(() => null);
    try {
      const t0 = Date.now();
      const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: silent.url("/"), ...short, requestTimeoutSeconds: 1, sla: generousSla } }));
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(result.status).toBe("error");
      expect(result.summary).toContain("did not answer before the load test: no answer within 1000 ms");
    } finally {
      await silent.close();
    }
  });

  it("too few responses to judge is an error, never a pass", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ loadTest: { url: fast.url("/"), connections: 2, durationSeconds: 1, ratePerSecond: 10, sla: generousSla } }));
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/only \d+ response\(s\) and 0 failed request\(s\); at least 50 responses are needed to judge the SLA/);
  });

  it("stops at once when the run is aborted", async () => {
    const controller = new AbortController();
    const ctx = systemsContext({ loadTest: { url: fast.url("/"), connections: 2, durationSeconds: 30, sla: generousSla } }, { signal: controller.signal });
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error("run rolled back")), 500);
    const result = await judgedRun(systemsRunner, ctx);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/^Could not run: remaining checks: cancelled before the checks finished: run rolled back/);
    // nothing keeps loading the service after the check returned (beyond a request per connection already on the wire)
    const servedAtReturn = fast.served();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fast.served()).toBeLessThanOrEqual(servedAtReturn + 2);
  });
});

describe("memory growth", () => {
  it("memory that grows with the load beyond the limit is high, with start, peak and end", async () => {
    const result = await judgedRun(systemsRunner, 
      systemsContext({ loadTest: { url: leaking.url("/"), ...short, durationSeconds: 1.5, sla: generousSla }, memory: { metricsUrl: leaking.url("/metrics"), maxGrowthMb: 1 } }),
    );
    expect(result.status).toBe("failed");
    const growth = result.findings.find((f) => f.severity === "high");
    expect(growth?.message).toMatch(/^resident memory grew [\d.]+ MiB \(\+[\d.]+%\) under load, above the limit of 1 MiB$/);
    expect(growth?.evidence).toMatch(/^process_resident_memory_bytes under load: start 100\.0 MiB, peak [\d.]+ MiB, end [\d.]+ MiB, growth [\d.]+ MiB \(\+[\d.]+%\); [3-9] samples over \d s$/);
  });

  it("stable memory under load passes and is reported", async () => {
    const result = await judgedRun(systemsRunner, 
      systemsContext({ loadTest: { url: fast.url("/"), ...short, sla: generousSla }, memory: { metricsUrl: fast.url("/metrics"), maxGrowthMb: 1, maxGrowthPercent: 5 } }),
    );
    expect(result.status).toBe("passed");
    expect(result.findings.map((f) => f.message)).toContain("resident memory under load: start 100.0 MiB, peak 100.0 MiB, end 100.0 MiB, growth 0.0 MiB (+0.0%)");
  });

  it("a metrics page without the RSS metric makes memory an error naming it, while the load test is still judged", async () => {
    const result = await judgedRun(systemsRunner, 
      systemsContext({ loadTest: { url: failingShare.url("/"), ...short, sla: generousSla }, memory: { metricsUrl: failingShare.url("/metrics/no-rss"), maxGrowthPercent: 10 } }),
    );
    expect(result.status).toBe("failed"); // the error rate's high finding; memory could not be judged
    expect(result.summary).toContain("could not run: memory growth: http://127.0.0.1");
    expect(result.summary).toContain("metric process_resident_memory_bytes not found");
    expect(result.findings.some((f) => f.severity === "high" && f.message.startsWith("error rate"))).toBe(true);
  });

  it("reads the RSS line of a metrics page far larger than an ordinary answer (1 MiB of other series first)", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ memory: { metricsUrl: fast.url("/metrics/large"), maxGrowthPercent: 5, windowSeconds: 2 } }));
    expect(result.status).toBe("passed");
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringMatching(/^resident memory over 2 s without load: start 100\.0 MiB/) }));
  });

  it("without a load test, memory is watched over its window", async () => {
    const ctx = systemsContext({ memory: { metricsUrl: fast.url("/metrics"), maxGrowthPercent: 5, windowSeconds: 2 } });
    const result = await judgedRun(systemsRunner, ctx);
    expect(result.status).toBe("passed");
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "info", message: "resident memory over 2 s without load: start 100.0 MiB, peak 100.0 MiB, end 100.0 MiB, growth 0.0 MiB (+0.0%)" }));
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "info", message: "load test not checked: not configured" }));
  });

  it("a metrics endpoint that refuses connections is an error, not a pass", async () => {
    const result = await judgedRun(systemsRunner, systemsContext({ memory: { metricsUrl: await refusedUrl(), maxGrowthMb: 10, windowSeconds: 2 } }));
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/memory growth: http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/);
  });
});
