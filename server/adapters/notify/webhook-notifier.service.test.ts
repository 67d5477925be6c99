import { describe, expect, it } from "vitest";
import type { Notification } from "../../engine/ports.ts";
import { receiverPerTest } from "../routers/webhook/webhook-receiver.fixture.ts";
import { verifyWebhookSignature } from "../routers/webhook/signature.ts";
import { WebhookNotifier, type SlackPayload, type WebhookNotifierOptions } from "./webhook-notifier.ts";

const secret = "chat-hook-secret";
const rollback: Notification = { runId: "run-7", severity: "critical", message: "Rolled back: canary error rate 4.1% > 1% (<b>checkout</b> & cart)" };

const receiver = receiverPerTest();
function notifier(url: string, more: Partial<WebhookNotifierOptions> = {}) {
  const errors: { error: Error; n: Notification }[] = [];
  const n = new WebhookNotifier({
    url,
    secret,
    publicUrl: "https://flightdeck.example.test/",
    backoffMs: 10,
    onError: (error, notification) => errors.push({ error, n: notification }),
    ...more,
  });
  return { n, errors };
}

describe("webhook notifier", () => {
  it("posts a signed Slack-compatible message with severity, run link and the escaped message", async () => {
    const r = await receiver(() => ({ status: 200, body: "ok" }));
    const { n, errors } = notifier(r.url);
    // Delivered: the engine records it in the run's audit trail as the team being told.
    await expect(n.notify(rollback)).resolves.toEqual(["webhook"]);

    expect(errors).toEqual([]);
    const [d] = r.deliveries;
    if (!d) throw new Error("no delivery");
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(secret, d.headers["x-flightdeck-timestamp"], d.body, d.headers["x-flightdeck-signature"], now)).toBe(true);

    const payload = JSON.parse(d.body) as SlackPayload;
    expect(payload.text).toBe("[critical] Run run-7: Rolled back: canary error rate 4.1% &gt; 1% (&lt;b&gt;checkout&lt;/b&gt; &amp; cart)");
    expect(payload.blocks).toHaveLength(1);
    const section = payload.blocks[0];
    expect(section?.type).toBe("section");
    expect(section?.text.type).toBe("mrkdwn");
    expect(section?.text.text).toContain("*Critical*");
    expect(section?.text.text).toContain("<https://flightdeck.example.test/runs/run-7|Run run-7>");
    expect(section?.text.text).toContain("canary error rate 4.1% &gt; 1%");
  });

  it("a rollback's notification names the emergency contacts and carries them as data", async () => {
    const r = await receiver(() => ({ status: 200, body: "ok" }));
    const { n } = notifier(r.url);
    const contacts = [
      { name: "Ana Ruiz", role: "On-call engineer", reach: "+1 555 0100 · PagerDuty checkout-primary" },
      { name: "Bo <ops>", role: "Database owner", reach: "@bo on #checkout-db" },
    ];
    await expect(n.notify({ ...rollback, contacts })).resolves.toEqual(["webhook"]);
    const payload = JSON.parse(r.deliveries[0]?.body ?? "{}") as SlackPayload;
    // A receiver that pages people reads them as data, unchanged.
    expect(payload.contacts).toEqual(contacts);
    // People in chat see who to call, escaped like every other text.
    expect(payload.text).toContain("Emergency contacts: Ana Ruiz (On-call engineer, +1 555 0100 · PagerDuty checkout-primary); Bo &lt;ops&gt; (Database owner, @bo on #checkout-db).");
    expect(payload.blocks[1]?.text.text).toBe("*Emergency contacts*\n• *Ana Ruiz* (On-call engineer): +1 555 0100 · PagerDuty checkout-primary\n• *Bo &lt;ops&gt;* (Database owner): @bo on #checkout-db");

    // Without contacts nothing is added.
    await n.notify(rollback);
    const plain = JSON.parse(r.deliveries[1]?.body ?? "{}") as SlackPayload;
    expect(plain.contacts).toBeUndefined();
    expect(plain.blocks).toHaveLength(1);
  });

  it("retries a busy receiver and delivers once it answers", async () => {
    const r = await receiver((_d, i) => (i < 2 ? { status: 503 } : { status: 200 }));
    const { n, errors } = notifier(r.url);
    await n.notify({ runId: "run-8", severity: "info", message: "Promoted to 50%" });
    expect(r.deliveries).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it("resolves and reports to onError when the receiver keeps failing, is unreachable or hangs", async () => {
    const failing = await receiver(() => ({ status: 500, body: "slack is down" }));
    const hanging = await receiver(() => "hang");
    const gone = await receiver(() => ({ status: 200 }));
    await gone.close();

    const a = notifier(failing.url);
    await expect(a.n.notify(rollback)).resolves.toEqual([]);
    expect(failing.deliveries).toHaveLength(3);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]?.error.message).toMatch(/HTTP 500 "slack is down"/);
    expect(a.errors[0]?.n).toEqual(rollback);

    const b = notifier(hanging.url, { timeoutMs: 200, attempts: 1 });
    const started = Date.now();
    await expect(b.n.notify(rollback)).resolves.toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(b.errors[0]?.error.message).toMatch(/timed out after 200 ms/);

    const c = notifier(gone.url, { attempts: 2 });
    await expect(c.n.notify(rollback)).resolves.toEqual([]);
    expect(c.errors[0]?.error.message).toMatch(/ECONNREFUSED/);
  });

  it("does not fail even when the error hook itself throws", async () => {
    const r = await receiver(() => ({ status: 404, body: "no such hook" }));
    const { n } = notifier(r.url, {
      onError: () => {
        throw new Error("logger broke");
      },
    });
    await expect(n.notify(rollback)).resolves.toEqual([]);
    expect(r.deliveries).toHaveLength(1);
  });
});
