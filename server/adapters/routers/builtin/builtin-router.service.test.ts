import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { BuiltinRouter } from "./builtin-router.ts";
import { freePort } from "../../../testing/global-setup.ts";
import { eventually } from "../../../testing/harness.ts";
import { ArraySink, client, countBy, listen, quantile, target } from "./test-helpers.ts";

// The router against real HTTP upstreams on loopback; every request goes over TCP.
const http = client();
const sink = new ArraySink();
const run = target("run-1");
let upstreams: Awaited<ReturnType<typeof listen>>[] = [];
let routers: BuiltinRouter[] = [];

/** An upstream that answers with its name, after `delayMs`. */
const named = (name: string, delayMs = 0) => (req: IncomingMessage, res: ServerResponse) => {
  setTimeout(() => {
    res.writeHead(200, { "content-type": "text/plain", "set-cookie": "upstream=1; Path=/" });
    res.end(name);
  }, delayMs);
};

async function routerFor(handlers: { baseline: string | ((req: IncomingMessage, res: ServerResponse) => void); canary: string | ((req: IncomingMessage, res: ServerResponse) => void) }, extra: { upstreamTimeoutMs?: number } = {}) {
  const url = async (h: string | ((req: IncomingMessage, res: ServerResponse) => void)) => {
    if (typeof h === "string") return h;
    const s = await listen(h);
    upstreams.push(s);
    return s.url;
  };
  const router = new BuiltinRouter({ listenPort: 0, host: "127.0.0.1", upstreams: { baseline: await url(handlers.baseline), canary: await url(handlers.canary) }, sink, ...extra });
  routers.push(router);
  await router.start();
  const address = router.address();
  if (!address) throw new Error("router not listening");
  return { router, url: address.url };
}

let front: { router: BuiltinRouter; url: string };
beforeAll(async () => {
  front = await routerFor({ baseline: named("baseline"), canary: named("canary") });
});
afterEach(() => sink.clear());
afterAll(async () => {
  await Promise.all(routers.map((r) => r.stop()));
  await Promise.all(upstreams.map((u) => u.close()));
  await http.close();
  routers = [];
  upstreams = [];
});

describe("weighted split", () => {
  it("sends everything to the baseline at 0 % and to the canary at 100 %, cookies or not", async () => {
    const pins: Record<string, string>[] = [{}, { cookie: "fd_side=canary" }, { "x-flightdeck-side": "canary" }, { cookie: "fd_side=baseline" }];
    await front.router.setWeight(run, 0);
    const atZero = await http.many(front.url, 100, (i) => pins[i % pins.length] ?? {});
    expect(atZero.every((a) => a.status === 200 && a.side === "baseline" && a.body === "baseline")).toBe(true);

    await front.router.setWeight(run, 100);
    const atHundred = await http.many(front.url, 100, (i) => pins[i % pins.length] ?? {});
    expect(atHundred.every((a) => a.status === 200 && a.side === "canary" && a.body === "canary")).toBe(true);
  });

  it("sends about 5 % of 2,000 new clients to the canary at 5 %", async () => {
    await front.router.setWeight(run, 5);
    const answers = await http.many(front.url, 2_000, () => ({}), 32);
    const canary = answers.filter((a) => a.side === "canary" && a.body === "canary").length;
    // Binomial(2000, 0.05): mean 100, sd 9.7; 60–140 is ±4 sd.
    expect(canary).toBeGreaterThanOrEqual(60);
    expect(canary).toBeLessThanOrEqual(140);
    expect(answers.filter((a) => a.side === "baseline" && a.body === "baseline").length).toBe(2_000 - canary);
  });
});

describe("stickiness", () => {
  it("keeps a client on its side at 50 % by cookie or header, and a rollback overrides it at once", async () => {
    await front.router.setWeight(run, 50);
    const first = await http.many(front.url, 40);
    const cookie = first[0]?.setCookie.find((c) => c.startsWith("fd_side="));
    expect(cookie).toMatch(/^fd_side=(baseline|canary); Path=\/; HttpOnly; SameSite=Lax$/);
    // Both sides were handed out, so the repeat below can tell sticking from luck.
    expect(new Set(first.map((a) => a.side))).toEqual(new Set(["baseline", "canary"]));

    for (const a of first.slice(0, 20)) {
      const pin = a.setCookie.find((c) => c.startsWith("fd_side="))?.split(";")[0] ?? "";
      const again = await http.many(front.url, 10, () => ({ cookie: `theme=dark; ${pin}` }), 5);
      expect(again.map((b) => b.side)).toEqual(Array(10).fill(a.side));
    }
    const byHeader = await http.many(front.url, 20, () => ({ "x-flightdeck-side": "canary" }));
    expect(byHeader.every((a) => a.side === "canary")).toBe(true);

    await front.router.setWeight(run, 0);
    const after = await http.many(front.url, 40, (i): Record<string, string> => (i % 2 ? { cookie: "fd_side=canary" } : { "x-flightdeck-side": "canary" }));
    expect(after.every((a) => a.side === "baseline" && a.body === "baseline")).toBe(true);
    // The pin is cleared so the next rollout starts from a fresh split.
    expect(after[0]?.setCookie).toContain("fd_side=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  });

  it("keeps the upstream's own cookies next to its pin", async () => {
    await front.router.setWeight(run, 50);
    const a = await http.get(front.url);
    expect(a.setCookie).toContain("upstream=1; Path=/");
    expect(a.setCookie.some((c) => c.startsWith("fd_side="))).toBe(true);
  });
});

describe("verifyWeight", () => {
  it("is true only for the weight and run the router serves, while it listens", async () => {
    const extra = await routerFor({ baseline: named("baseline"), canary: named("canary") });
    await extra.router.setWeight(run, 5);
    expect(await extra.router.verifyWeight(run, 5)).toBe(true);
    expect(await extra.router.verifyWeight(run, 50)).toBe(false);
    expect(await extra.router.verifyWeight(target("run-2"), 5)).toBe(false);
    await expect(extra.router.setWeight(run, 101)).rejects.toThrow(RangeError);
    await expect(extra.router.setWeight(run, Number.NaN)).rejects.toThrow(RangeError);
    expect(await extra.router.verifyWeight(run, 5)).toBe(true);
    await extra.router.stop();
    expect(await extra.router.verifyWeight(run, 5)).toBe(false);
    expect(extra.router.address()).toBeNull();
  });
});

describe("observations", () => {
  it("reports side, status and latency of every request of the active run, and nothing without a run", async () => {
    const idle = await routerFor({ baseline: named("baseline"), canary: named("canary") });
    await http.many(idle.url, 5);
    expect(sink.observations).toHaveLength(0);

    const slow = await routerFor({ baseline: named("baseline"), canary: named("canary", 50) });
    await slow.router.setWeight(run, 50);
    const answers = await http.many(slow.url, 100);
    expect(sink.observations).toHaveLength(100);
    expect(countBy(sink.observations, (o) => o.side)).toEqual(countBy(answers, (a) => a.side ?? "none"));
    expect(sink.observations.every((o) => o.runId === "run-1" && o.status === 200)).toBe(true);
    // Node's timers count from the event loop's cached time, so a 50 ms timer may end ~1 ms early.
    expect(sink.of("canary").length).toBeGreaterThan(0); // Math.min of nothing is Infinity
    expect(Math.min(...sink.of("canary").map((o) => o.latencyMs))).toBeGreaterThanOrEqual(48);
    expect(quantile(sink.of("baseline").map((o) => o.latencyMs), 0.5)).toBeLessThan(25);
    // High resolution: sub-millisecond parts are kept.
    expect(sink.observations.some((o) => !Number.isInteger(o.latencyMs))).toBe(true);
  });
});

describe("forwarding", () => {
  it("passes a POST's body and the client's headers, drops hop-by-hop ones, adds X-Forwarded-*, and streams a large answer intact", async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, "x");
    const echo = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/big") return void res.writeHead(200, { "content-length": big.length }).end(big);
        res.writeHead(201, { "content-type": "application/json", "x-upstream": "a" });
        res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), headers: req.headers }));
      });
    };
    const r = await routerFor({ baseline: echo, canary: echo });
    // node:http, not undici, as the client: undici never sends a Connection header as given.
    const body = JSON.stringify({ item: "book" });
    const { status, upstreamHeader, text } = await new Promise<{ status: number; upstreamHeader: unknown; text: string }>((resolve, reject) => {
      const req = httpRequest(`${r.url}/orders?id=7`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "keep-alive, x-hop", "x-hop": "secret", "x-forwarded-for": "10.0.0.1", "x-trace": "abc" },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, upstreamHeader: res.headers["x-upstream"], text }));
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBe(201);
    expect(upstreamHeader).toBe("a");
    const seen = JSON.parse(text) as { method: string; url: string; body: string; headers: Record<string, string> };
    expect(seen).toMatchObject({ method: "POST", url: "/orders?id=7", body: '{"item":"book"}' });
    expect(seen.headers).toMatchObject({ "x-trace": "abc", "x-forwarded-for": "10.0.0.1, 127.0.0.1", "x-forwarded-proto": "http", host: new URL(r.url).host, "x-forwarded-host": new URL(r.url).host });
    expect(seen.headers["x-hop"]).toBeUndefined();

    const large = await request(`${r.url}/big`);
    expect((await large.body.arrayBuffer()).byteLength).toBe(big.length);
  });
});

describe("a client that hangs up", () => {
  it("ends the upstream request too and is not counted against the version", async () => {
    let upstreamClosed = false;
    const endless = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const tick = setInterval(() => res.write("still here\n"), 10);
      res.on("close", () => {
        clearInterval(tick);
        upstreamClosed = true;
      });
    };
    const r = await routerFor({ baseline: endless, canary: endless });
    await r.router.setWeight(run, 50);
    const abort = new AbortController();
    const res = await request(r.url, { signal: abort.signal });
    expect(res.statusCode).toBe(200);
    abort.abort();
    await res.body.text().catch(() => "");
    await eventually(async () => upstreamClosed, 5_000);
    expect(sink.observations).toEqual([]);
  });
});

describe("failing upstreams", () => {
  it("answers 502 for an unreachable canary, counts it as a canary error and keeps serving the baseline", async () => {
    const broken = await routerFor({ baseline: named("baseline"), canary: `http://127.0.0.1:${await freePort()}` });
    await broken.router.setWeight(run, 50);
    const answers = await http.many(broken.url, 60);
    const canary = answers.filter((a) => a.side === "canary");
    const baseline = answers.filter((a) => a.side === "baseline");
    expect(canary.length).toBeGreaterThan(0);
    expect(canary.every((a) => a.status === 502)).toBe(true);
    expect(baseline.every((a) => a.status === 200 && a.body === "baseline")).toBe(true);
    expect(sink.of("canary").map((o) => o.status)).toEqual(Array(canary.length).fill(502));
    expect(sink.of("baseline").every((o) => o.status === 200)).toBe(true);
  });

  it("answers 504 when the canary does not answer in time", async () => {
    const hung = await routerFor({ baseline: named("baseline"), canary: () => {} }, { upstreamTimeoutMs: 200 });
    await hung.router.setWeight(run, 100);
    const a = await http.get(hung.url);
    expect(a.status).toBe(504);
    expect(a.side).toBe("canary");
    expect(a.latencyMs).toBeGreaterThanOrEqual(190);
    expect(sink.observations).toMatchObject([{ side: "canary", status: 504 }]);
    await hung.router.setWeight(run, 0);
    expect((await http.get(hung.url)).status).toBe(200);
  });

  it("reuses upstream connections even when clients ask to close theirs", async () => {
    let connections = 0;
    const counted = await listen(named("baseline"));
    counted.server.on("connection", () => connections++);
    upstreams.push(counted);
    const r = await routerFor({ baseline: counted.url, canary: counted.url });
    for (let i = 0; i < 20; i++) expect((await http.get(r.url, { connection: "close" })).status).toBe(200);
    expect(connections).toBe(1);
  });
});
