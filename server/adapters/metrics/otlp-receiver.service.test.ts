import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import type { Attributes } from "@opentelemetry/api";
import { OTLPMetricExporter as HttpJsonExporter, AggregationTemporalityPreference } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ViewOptions } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { setAppContext } from "../../context.ts";
import { disconnectDb } from "../../db/client.ts";
import { runsInRollout } from "../../db/run-repository.ts";
import { MetricsAggregator } from "../../metrics/aggregator.ts";
import { createApiToken } from "../../services/api-tokens.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../../testing/harness.ts";
import { listenOnLoopback } from "../../testing/loopback-server.ts";
import { MAX_OTLP_BODY_BYTES, otlpMetricsRoute } from "../../http/otlp-route.ts";

/**
 * The OTLP/HTTP receiver over a real HTTP server on loopback (the handler the Next routes
 * export), fed by the real OpenTelemetry JS SDK and its OTLP exporters (protobuf and JSON), with
 * a real run rolling out in PostgreSQL: what a service instrumented with OpenTelemetry sees, and
 * what the canary analysis then reads.
 */

const h = makeEngine(inject("databaseUrl"));
const db = h.db;
let base = "";
let close: () => Promise<void> = async () => {};
let token = "";
let readOnlyToken = "";
let otherServiceToken = "";
let slug = "";
let runId = "";
let aggregator: MetricsAggregator;

/** Node's request → the fetch Request a Next route handler gets, and its Response back. */
async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  if (url.pathname !== "/v1/metrics" || req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(url, { method: "POST", headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } as RequestInit);
  const response = await otlpMetricsRoute(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  h.engine.start();
  const rm = await makeUser(db, "release_manager");
  const admin = await makeUser(db, "admin");
  const svc = await makeService(db);
  slug = svc.slug;
  // Staging, low risk: the run reaches its rollout without gates (the manual router then waits at 5%).
  runId = (await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low", targetVersion: "1.1.0" }))).id;
  await eventually(async () => (await runsInRollout(db)).some((r) => r.id === runId), 15_000);
  token = (await createApiToken(db, admin, { name: "otel", scopes: ["metrics:write"] })).token;
  readOnlyToken = (await createApiToken(db, admin, { name: "reader", scopes: ["runs:read"] })).token;
  const other = await makeService(db);
  otherServiceToken = (await createApiToken(db, admin, { name: "other", scopes: ["metrics:write"], services: [other.slug] })).token;
  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      console.error("[test server] handler threw", e);
      res.destroy();
    });
  });
  const listening = await listenOnLoopback(server);
  base = `http://127.0.0.1:${listening.port}`;
  close = listening.close;
});
afterAll(async () => {
  await close();
  await h.engine.stop();
  await disconnectDb();
});

/** A fresh aggregator watching the run (what the analysis loop does for a run in its rollout). */
function freshAggregator(): MetricsAggregator {
  aggregator = new MetricsAggregator(() => Date.now());
  setAppContext({ engine: h.engine, globalHoldScale: 1, aggregator, demo: null });
  aggregator.startStep(runId, 0);
  return aggregator;
}

type SdkOptions = {
  protocol: "protobuf" | "json";
  version: string;
  temporality?: "delta" | "cumulative";
  exponential?: boolean;
  gzip?: boolean;
  bearer?: string;
  environment?: string;
  /** service.name; default the run's service */
  service?: string;
};

/** A real MeterProvider for one version of the service, exporting over OTLP/HTTP to the receiver. */
function sdk(o: SdkOptions) {
  const exporterOptions = {
    url: `${base}/v1/metrics`,
    headers: { Authorization: `Bearer ${o.bearer ?? token}` },
    temporalityPreference: o.temporality === "delta" ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
    ...(o.gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
  };
  const real = o.protocol === "protobuf" ? new ProtoExporter(exporterOptions) : new HttpJsonExporter(exporterOptions);
  // The exporter as the SDK uses it, keeping each export's result (forceFlush does not fail with it).
  const results: { code: number; error?: Error }[] = [];
  const exporter: PushMetricExporter = {
    export: (metrics, done) =>
      real.export(metrics, (r) => {
        results.push(r);
        done(r);
      }),
    forceFlush: () => real.forceFlush(),
    shutdown: () => real.shutdown(),
    selectAggregationTemporality: (t) => real.selectAggregationTemporality(t),
    selectAggregation: (t) => real.selectAggregation(t),
  };
  // A long interval: the test exports with forceFlush, when it wants.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const views: ViewOptions[] = o.exponential ? [{ instrumentName: "http.server.request.duration", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] : [];
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": o.service ?? slug, "deployment.environment.name": o.environment ?? "staging", "service.version": o.version }),
    readers: [reader],
    views,
  });
  const meter = provider.getMeter("http-server");
  // Stable semantic conventions: seconds, with their recommended bucket boundaries.
  const duration = meter.createHistogram("http.server.request.duration", {
    unit: "s",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });
  const old = meter.createHistogram("http.server.duration", { unit: "ms" });
  return {
    request(seconds: number, status: number, n = 1, attrs: Attributes = {}) {
      for (let i = 0; i < n; i++) duration.record(seconds, { "http.request.method": "GET", "http.route": "/checkout", "http.response.status_code": status, ...attrs });
    },
    oldRequest(ms: number, status: number, n = 1) {
      for (let i = 0; i < n; i++) old.record(ms, { "http.method": "GET", "http.status_code": status });
    },
    /** Exports now; the export's result code (0 = success) and error. */
    async flush() {
      const before = results.length;
      await provider.forceFlush();
      const r = results.slice(before);
      expect(r.length).toBeGreaterThan(0);
      return r.at(-1);
    },
    shutdown: () => provider.shutdown(),
  };
}

const side = (s: "baseline" | "canary") => aggregator.totals(runId)?.[s];

describe("the real OpenTelemetry SDK exporting to /v1/metrics", () => {
  it("protobuf, explicit buckets, delta: each side's request and error counts, and latencies inside the right buckets", async () => {
    freshAggregator();
    const canary = sdk({ protocol: "protobuf", version: "1.1.0", temporality: "delta", gzip: true });
    const baseline = sdk({ protocol: "protobuf", version: "1.0.0", temporality: "delta" });
    canary.request(0.03, 200, 40);
    canary.request(0.3, 503, 10);
    baseline.request(0.06, 200, 100);
    baseline.request(0.06, 500, 1);
    expect(await Promise.all([canary.flush(), baseline.flush()])).toEqual([{ code: 0 }, { code: 0 }]);

    expect(side("canary")).toMatchObject({ requests: 50, errors: 10 });
    expect(side("baseline")).toMatchObject({ requests: 101, errors: 1 });
    // 40 requests in (25, 50] ms, 10 in (250, 500] ms: the p95 is one of the slow ten.
    const canaryP95 = side("canary")?.latencyMs.p95 ?? NaN;
    expect(canaryP95).toBeGreaterThan(250);
    expect(canaryP95).toBeLessThanOrEqual(505);
    const baselineP95 = side("baseline")?.latencyMs.p95 ?? NaN;
    expect(baselineP95).toBeGreaterThan(50);
    expect(baselineP95).toBeLessThanOrEqual(76);

    // Delta temporality: the next export carries only what came since.
    canary.request(0.03, 200, 5);
    await canary.flush();
    expect(side("canary")).toMatchObject({ requests: 55, errors: 10 });
    await Promise.all([canary.shutdown(), baseline.shutdown()]);
  });

  it("JSON, exponential buckets (SDK view), cumulative: the second export feeds only the difference", async () => {
    freshAggregator();
    // This process started after the run did: its first export counts whole.
    const canary = sdk({ protocol: "json", version: "1.1.0", temporality: "cumulative", exponential: true });
    canary.request(0.2, 200, 30);
    canary.request(0.8, 200, 2);
    await canary.flush();
    expect(side("canary")).toMatchObject({ requests: 32, errors: 0 });
    canary.request(0.2, 200, 18);
    await canary.flush();
    // 50 requests, not 32 + 50: cumulative values are subtracted from the previous export.
    expect(side("canary")).toMatchObject({ requests: 50, errors: 0 });
    // The exponential buckets are fine: 200 ms comes back within a few percent (the median sits there).
    const p = aggregator.rollSecond().find((x) => x.runId === runId)?.points.find((x) => x.side === "canary");
    expect(p?.p50).toBeGreaterThan(195);
    expect(p?.p50).toBeLessThan(205);
    // The 2 slow requests are the top 4%: the p99 is near 800 ms.
    expect(side("canary")?.latencyMs.p99).toBeGreaterThan(780);
    expect(side("canary")?.latencyMs.p99).toBeLessThan(820);
    await canary.shutdown();
  });

  it("the old conventions' http.server.duration in milliseconds with http.status_code", async () => {
    freshAggregator();
    const baseline = sdk({ protocol: "json", version: "1.0.0", temporality: "delta" });
    baseline.oldRequest(120, 200, 9);
    baseline.oldRequest(120, 502, 1);
    await baseline.flush();
    expect(side("baseline")).toMatchObject({ requests: 10, errors: 1 });
    // Default buckets (…, 100, 250, …) ms: all ten lie in (100, 250].
    expect(side("baseline")?.latencyMs.p95).toBeGreaterThan(100);
    expect(side("baseline")?.latencyMs.p95).toBeLessThanOrEqual(253);
    await baseline.shutdown();
  });

  it("a data point attribute flightdeck.side overrides the version", async () => {
    freshAggregator();
    const sdkOther = sdk({ protocol: "protobuf", version: "build-77", temporality: "delta" });
    sdkOther.request(0.01, 200, 7, { "flightdeck.side": "canary" });
    await sdkOther.flush();
    expect(side("canary")?.requests).toBe(7);
    await sdkOther.shutdown();
  });

  it("an unknown version, another environment or a token limited to another service feed nothing (the export itself succeeds)", async () => {
    freshAggregator();
    const stranger = sdk({ protocol: "protobuf", version: "9.9.9", temporality: "delta" });
    const production = sdk({ protocol: "json", version: "1.1.0", temporality: "delta", environment: "production" });
    const limited = sdk({ protocol: "protobuf", version: "1.1.0", temporality: "delta", bearer: otherServiceToken });
    for (const s of [stranger, production, limited]) s.request(0.05, 200, 3);
    // OTLP: data the receiver would not take is a partial success, not a failed export (exporters would retry it forever).
    expect(await Promise.all([stranger.flush(), production.flush(), limited.flush()])).toEqual([{ code: 0 }, { code: 0 }, { code: 0 }]);
    expect(side("canary")?.requests).toBe(0);
    expect(side("baseline")?.requests).toBe(0);
    await Promise.all([stranger.shutdown(), production.shutdown(), limited.shutdown()]);
  });

  it("an exporter with a bad token fails its export and feeds nothing", async () => {
    freshAggregator();
    const wrong = sdk({ protocol: "protobuf", version: "1.1.0", temporality: "delta", bearer: "fd_notARealTokenAtAllxxxxxxxxxxxxxxxxxxxxxxx" });
    wrong.request(0.05, 200, 3);
    const result = await wrong.flush();
    expect(result?.code).toBe(1);
    expect((result?.error as { code?: number } | undefined)?.code).toBe(401);
    expect(side("canary")?.requests).toBe(0);
    await wrong.shutdown().catch(() => undefined);
  });
});

/** An OTLP JSON export of one explicit histogram point, as a Collector would send it. */
function jsonExport(o: { version: string; start: string; counts: number[]; bounds?: number[]; temporality?: number; status?: number; service?: string }) {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: o.service ?? slug } },
            { key: "deployment.environment", value: { stringValue: "staging" } },
            { key: "service.version", value: { stringValue: o.version } },
            { key: "service.instance.id", value: { stringValue: "pod-a" } },
          ],
        },
        scopeMetrics: [
          {
            scope: { name: "collector" },
            metrics: [
              { name: "jvm.memory.used", unit: "By", gauge: { dataPoints: [{ asInt: "12345", timeUnixNano: "1" }] } },
              {
                name: "http.server.request.duration",
                unit: "s",
                histogram: {
                  aggregationTemporality: o.temporality ?? 2,
                  dataPoints: [
                    {
                      attributes: [{ key: "http.response.status_code", value: { intValue: String(o.status ?? 200) } }],
                      startTimeUnixNano: o.start,
                      timeUnixNano: String(BigInt(o.start) + 1_000_000_000n),
                      count: String(o.counts.reduce((s, c) => s + c, 0)),
                      bucketCounts: o.counts.map(String),
                      explicitBounds: o.bounds ?? [0.1],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function post(body: string | Uint8Array, headers: Record<string, string> = {}, bearer: string | null = token) {
  return fetch(`${base}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
}

describe("OTLP JSON as a Collector sends it", () => {
  const nowNs = () => String(BigInt(Date.now()) * 1_000_000n);

  it("cumulative counts: differences fed, a restart (new start time) or counts going down starts over, unknown version rejected with the reason", async () => {
    freshAggregator();
    const start = nowNs();
    const ok = async (body: unknown) => {
      const res = await post(JSON.stringify(body));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      return (await res.json()) as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } };
    };
    // The gauge is another metric: accepted and not read, so nothing is rejected.
    expect(await ok(jsonExport({ version: "1.1.0", start, counts: [5, 5] }))).toEqual({});
    expect(side("canary")?.requests).toBe(10);
    await ok(jsonExport({ version: "1.1.0", start, counts: [8, 5] }));
    expect(side("canary")?.requests).toBe(13);
    // The process restarted: its new running total is all new.
    const restarted = String(BigInt(start) + 5_000_000_000n);
    await ok(jsonExport({ version: "1.1.0", start: restarted, counts: [2, 0] }));
    expect(side("canary")?.requests).toBe(15);
    // Counts going down under the same start time: treated as a restart too, never as negative requests.
    await ok(jsonExport({ version: "1.1.0", start: restarted, counts: [1, 0] }));
    expect(side("canary")?.requests).toBe(16);

    const refused = await ok(jsonExport({ version: "7.7.7", start, counts: [3, 0] }));
    expect(refused.partialSuccess).toEqual({ rejectedDataPoints: "1", errorMessage: `1 data point rejected: version 7.7.7 of ${slug} is neither the baseline 1.0.0 nor the canary 1.1.0 (1)` });
    const nowhere = await ok(jsonExport({ version: "1.1.0", start, counts: [3, 0], service: "no-such-service" }));
    expect(nowhere.partialSuccess?.errorMessage).toBe("1 data point rejected: no run of no-such-service is rolling out in staging (1)");
    const badShape = await ok(jsonExport({ version: "1.1.0", start: nowNs(), counts: [3, 0, 1], temporality: 1 }));
    expect(badShape.partialSuccess?.errorMessage).toMatch(/1 explicit bounds need 2 bucket counts, not 3/);
    expect(side("canary")?.requests).toBe(16);
  });

  it("a cumulative stream that began before the run is a reference at first: only what it counts afterwards is fed", async () => {
    freshAggregator();
    const longRunning = "1000"; // a baseline process up since long before the run
    expect((await post(JSON.stringify(jsonExport({ version: "1.0.0", start: longRunning, counts: [900, 100] })))).status).toBe(200);
    expect(side("baseline")?.requests).toBe(0);
    await post(JSON.stringify(jsonExport({ version: "1.0.0", start: longRunning, counts: [904, 101] })));
    expect(side("baseline")?.requests).toBe(5);
  });

  it("a billion requests in one bucket are fed at once (bounded work per bucket, not per request)", async () => {
    freshAggregator();
    const began = Date.now();
    await post(JSON.stringify(jsonExport({ version: "1.1.0", start: nowNs(), counts: [1_000_000_000, 0], temporality: 1 })));
    expect(side("canary")?.requests).toBe(1_000_000_000);
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it("a run the analysis does not watch takes nothing, and the export says why", async () => {
    freshAggregator();
    aggregator.forget(runId);
    const res = await post(JSON.stringify(jsonExport({ version: "1.1.0", start: nowNs(), counts: [3, 0], temporality: 1 })));
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedDataPoints: "1", errorMessage: `1 data point rejected: the run of ${slug} rolling out in staging has no automated analysis (1)` },
    });
  });

  it("a flag run: points tagged feature_flag.result.variant (or feature_flag.variant) with the new variant are its canary, other variants its baseline", async () => {
    const rm = await makeUser(db, "release_manager");
    const svc = await makeService(db);
    const staging = svc.environments.find((e) => e.name === "staging");
    if (!staging) throw new Error("no staging");
    await db.featureFlag.create({ data: { environmentId: staging.id, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }, { name: "beta", value: true }], defaultVariant: "off" } });
    const flagRunId = (await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low", kind: "flag", flag: { key: "new-checkout", variant: "on" }, targetVersion: undefined }))).id;
    await eventually(async () => (await runsInRollout(db)).some((r) => r.id === flagRunId), 15_000);
    freshAggregator();
    aggregator.startStep(flagRunId, 0);
    // One process serving every user: the variant each request was served is a point attribute.
    const app = sdk({ protocol: "protobuf", version: "1.0.0", temporality: "delta", service: svc.slug });
    app.request(0.03, 200, 6, { "feature_flag.key": "new-checkout", "feature_flag.result.variant": "on" });
    app.request(0.03, 500, 2, { "feature_flag.key": "new-checkout", "feature_flag.result.variant": "on" });
    app.request(0.03, 200, 30, { "feature_flag.key": "new-checkout", "feature_flag.result.variant": "off" });
    app.request(0.03, 200, 4, { "feature_flag.key": "new-checkout", "feature_flag.variant": "beta" });
    expect(await app.flush()).toEqual({ code: 0 });
    const totals = aggregator.totals(flagRunId);
    expect(totals?.canary).toMatchObject({ requests: 8, errors: 2 });
    expect(totals?.baseline).toMatchObject({ requests: 34, errors: 0 });
    // Without the variant (or flightdeck.side) a flag run's point cannot be placed, and the export says why.
    const res = await post(JSON.stringify(jsonExport({ version: "1.0.0", start: nowNs(), counts: [3, 0], temporality: 1, service: svc.slug })));
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedDataPoints: "1", errorMessage: "1 data point rejected: no feature_flag.result.variant (or flightdeck.side) to tell users on variant on from the rest (1)" },
    });
    expect(aggregator.totals(flagRunId)?.canary.requests).toBe(8);
    await app.shutdown();
    await h.engine.dispatch(flagRunId, { kind: "abort", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
  });

  it("delta points with status ≥ 500 are errors", async () => {
    freshAggregator();
    const res = await post(JSON.stringify(jsonExport({ version: "1.0.0", start: nowNs(), counts: [4, 0], temporality: 1, status: 500 })));
    expect(res.status).toBe(200);
    expect(side("baseline")).toMatchObject({ requests: 4, errors: 4 });
  });
});

describe("what the receiver refuses", () => {
  const body = () => JSON.stringify(jsonExport({ version: "1.1.0", start: "1", counts: [1, 0], temporality: 1 }));
  const status = async (res: Response) => ({ status: res.status, body: (await res.json()) as { code: number; message: string } });

  it("401 without a valid token, 403 without metrics:write — as a google.rpc.Status, nothing fed", async () => {
    freshAggregator();
    expect(await status(await post(body(), {}, null))).toMatchObject({ status: 401, body: { code: 16 } });
    expect(await status(await post(body(), {}, "fd_nope"))).toMatchObject({ status: 401 });
    const forbidden = await status(await post(body(), {}, readOnlyToken));
    expect(forbidden).toEqual({ status: 403, body: { code: 7, message: "This API token lacks the metrics:write scope." } });
    expect(side("canary")?.requests).toBe(0);
  });

  it("400 for bodies that are not an export, in the request's encoding", async () => {
    expect(await status(await post("{not json"))).toEqual({ status: 400, body: { code: 3, message: "The body is not JSON" } });
    expect((await status(await post(JSON.stringify({ resourceMetrics: "many" })))).status).toBe(400);
    const proto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { "content-type": "application/x-protobuf" });
    expect(proto.status).toBe(400);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await status(await post(Buffer.from("not gzip"), { "content-encoding": "gzip" }))).status).toBe(400);
  });

  it("415 for other content types and encodings, 413 over 4 MiB sent or once decompressed", async () => {
    expect((await status(await post(body(), { "content-type": "text/plain" }))).status).toBe(415);
    expect((await status(await post(body(), { "content-encoding": "br" }))).status).toBe(415);
    const bomb = gzipSync(Buffer.alloc(MAX_OTLP_BODY_BYTES + 1, 0x20));
    expect(bomb.byteLength).toBeLessThan(100_000);
    expect(await status(await post(bomb, { "content-encoding": "gzip" }))).toMatchObject({ status: 413, body: { code: 8 } });
    const huge = await post(" ".repeat(MAX_OTLP_BODY_BYTES + 1));
    expect(huge.status).toBe(413);
  });
});
