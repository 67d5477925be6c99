import { describe, expect, it } from "vitest";
import type { RouteTarget } from "../../../engine/ports.ts";
import { receiverPerTest, type ReceivedDelivery } from "./webhook-receiver.fixture.ts";
import { signWebhookPayload, verifyWebhookSignature } from "./signature.ts";
import { WebhookRouter, type WebhookRouterOptions } from "./webhook-router.ts";

const secret = "s3cret-shared-with-deploy-system";
const target: RouteTarget = { runId: "run-42", service: "checkout", environment: "production", baseline: "1.4.0", canary: "1.5.0" };
const nowSeconds = () => Math.floor(Date.now() / 1000);

const receiver = receiverPerTest();
const router = (url: string, more: Partial<WebhookRouterOptions> = {}) => new WebhookRouter({ url, secret, backoffMs: 20, ...more });
const isSigned = (d: ReceivedDelivery) =>
  verifyWebhookSignature(secret, d.headers["x-flightdeck-timestamp"], d.body, d.headers["x-flightdeck-signature"], nowSeconds());

describe("webhook router: setWeight", () => {
  it("posts the run's route target and weight, signed over timestamp and body", async () => {
    const r = await receiver(() => ({ status: 204 }));
    await router(r.url).setWeight(target, 20);

    expect(r.deliveries).toHaveLength(1);
    const [d] = r.deliveries;
    if (!d) throw new Error("no delivery");
    const body = JSON.parse(d.body) as Record<string, unknown>;
    expect(body).toEqual({ event: "setWeight", ...target, percent: 20, timestamp: Number(d.headers["x-flightdeck-timestamp"]) });
    expect(Math.abs(Number(body.timestamp) - nowSeconds())).toBeLessThanOrEqual(2);
    expect(d.headers["x-flightdeck-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(d.headers["content-type"]).toBe("application/json");
    expect(isSigned(d)).toBe(true);
  });

  it("rejects a tampered body, a wrong secret, a stale or future timestamp and malformed signatures", () => {
    const ts = 1_700_000_000;
    const body = JSON.stringify({ event: "setWeight", percent: 5 });
    const sig = signWebhookPayload(secret, ts, body);
    expect(verifyWebhookSignature(secret, String(ts), body, sig, ts + 10)).toBe(true);
    expect(verifyWebhookSignature(secret, String(ts), Buffer.from(body), sig, ts)).toBe(true);

    expect(verifyWebhookSignature(secret, String(ts), body.replace("5", "100"), sig, ts)).toBe(false);
    expect(verifyWebhookSignature("another-secret", String(ts), body, sig, ts)).toBe(false);
    // Replay protection: the same signed request five minutes and a second later is refused.
    expect(verifyWebhookSignature(secret, String(ts), body, sig, ts + 300)).toBe(true);
    expect(verifyWebhookSignature(secret, String(ts), body, sig, ts + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, sig, ts - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, sig, ts + 60, 30)).toBe(false);
    // A fresh timestamp on an old signature does not verify: the timestamp is signed too.
    expect(verifyWebhookSignature(secret, String(ts + 400), body, sig, ts + 400)).toBe(false);

    expect(verifyWebhookSignature(secret, String(ts), body, sig.slice("sha256=".length), ts)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, `${sig}00`, ts)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, undefined, ts)).toBe(false);
    expect(verifyWebhookSignature(secret, [String(ts)], body, sig, ts)).toBe(false);
    expect(verifyWebhookSignature(secret, "17e8", body, sig, ts)).toBe(false);
  });

  it("retries 503 and 429 with backoff, re-signing each attempt, until the receiver accepts", async () => {
    const answers = [503, 429, 200];
    const r = await receiver((_d, i) => ({ status: answers[i] ?? 500, body: "busy" }));
    await router(r.url, { attempts: 3, backoffMs: 50 }).setWeight(target, 50);

    expect(r.deliveries).toHaveLength(3);
    expect(r.deliveries.every(isSigned)).toBe(true);
    const ids = new Set(r.deliveries.map((d) => d.headers["x-flightdeck-delivery"]));
    expect(ids.size).toBe(1);
    const times = r.deliveries.map((d) => d.receivedAtMs);
    // Jittered exponential backoff: at least half of 50 ms, then half of 100 ms.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(24);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(49);
  });

  it("gives up after the last attempt on persistent 5xx, with the status and body in the error", async () => {
    const r = await receiver(() => ({ status: 502, body: "upstream deploy API down" }));
    await expect(router(r.url, { attempts: 3 }).setWeight(target, 50)).rejects.toThrow(
      /setWeight .* failed after 3 attempt\(s\): HTTP 502 "upstream deploy API down"/,
    );
    expect(r.deliveries).toHaveLength(3);
  });

  it("does not retry a 400 and reports its status and body, without the URL's query token", async () => {
    const r = await receiver(() => ({ status: 400, body: JSON.stringify({ error: "unknown service checkout" }) }));
    const error = await router(r.url).setWeight(target, 5).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error instanceof Error ? error.message : "";
    expect(message).toContain("HTTP 400");
    expect(message).toContain("unknown service checkout");
    expect(message).toContain("/hooks/flightdeck");
    expect(message).not.toContain("not-for-logs");
    expect(r.deliveries).toHaveLength(1);
  });

  it("times out each attempt on a hanging receiver and fails within attempts × timeout", async () => {
    const r = await receiver(() => "hang");
    const started = Date.now();
    await expect(router(r.url, { timeoutMs: 300, attempts: 2, backoffMs: 10 }).setWeight(target, 5)).rejects.toThrow(/timed out after 300 ms/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(1_500);
    expect(r.deliveries).toHaveLength(2);
  });

  it("retries network errors and names the cause when the receiver is unreachable", async () => {
    const r = await receiver(() => ({ status: 200 }));
    const url = r.url;
    await r.close();
    await expect(router(url, { attempts: 2 }).setWeight(target, 5)).rejects.toThrow(/failed after 2 attempt\(s\): .*ECONNREFUSED/);
  });

  it("refuses a percent outside 0–100 without calling the receiver", async () => {
    const r = await receiver(() => ({ status: 200 }));
    await expect(router(r.url).setWeight(target, 101)).rejects.toThrow(RangeError);
    await expect(router(r.url).setWeight(target, Number.NaN)).rejects.toThrow(RangeError);
    expect(r.deliveries).toHaveLength(0);
  });

  it("refuses unusable settings when built", () => {
    expect(() => new WebhookRouter({ url: "ftp://127.0.0.1/x", secret })).toThrow(/http/);
    expect(() => new WebhookRouter({ url: "http://127.0.0.1/x", secret: "" })).toThrow(/secret/);
    expect(() => new WebhookRouter({ url: "http://127.0.0.1/x", secret, attempts: 0 })).toThrow(/attempts/);
  });
});

describe("webhook router: verifyWeight", () => {
  it("asks the receiver what it serves and compares the percent it reads back", async () => {
    let served = 20;
    const r = await receiver(() => ({ status: 200, body: JSON.stringify({ percent: served }) }));
    const wr = router(r.url);

    expect(await wr.verifyWeight(target, 20)).toBe(true);
    expect(await wr.verifyWeight(target, 50)).toBe(false);
    served = 50;
    expect(await wr.verifyWeight(target, 50)).toBe(true);

    const [d] = r.deliveries;
    if (!d) throw new Error("no delivery");
    expect(JSON.parse(d.body)).toMatchObject({ event: "verifyWeight", runId: "run-42", service: "checkout", percent: 20 });
    expect(isSigned(d)).toBe(true);
  });

  it("answers false, and says why, when the receiver fails or answers something else", async () => {
    const errors: Error[] = [];
    const bad = await receiver(() => ({ status: 200, body: "ok" }));
    expect(await router(bad.url, { onVerifyError: (e) => errors.push(e) }).verifyWeight(target, 20)).toBe(false);
    const down = await receiver(() => ({ status: 500, body: "boom" }));
    expect(await router(down.url, { attempts: 1, onVerifyError: (e) => errors.push(e) }).verifyWeight(target, 20)).toBe(false);

    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('expected {"percent"'), expect.stringContaining("HTTP 500")]);
  });
});
