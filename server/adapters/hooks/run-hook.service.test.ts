import { describe, expect, it } from "vitest";
import { verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../routers/webhook/signature.ts";
import { startReceiver } from "../routers/webhook/webhook-receiver.fixture.ts";
import { runHook, type HookContext } from "./run-hook.ts";

// Real processes and a real HTTP receiver on 127.0.0.1.
const ctx: HookContext = { runId: "run-42", service: "checkout", environment: "production", baseline: "1.0.0", canary: "1.1.0", idempotencyKey: "run-42:rollback:dataMigration", attempt: 2 };

describe("command hooks", () => {
  it("a command that exits 0 is done, with its output and the run in its environment", async () => {
    const outcome = await runHook(
      { kind: "command", command: "/bin/sh", args: ["-c", 'echo migrated; echo "$FLIGHTDECK_RUN_ID $FLIGHTDECK_SERVICE $FLIGHTDECK_ENVIRONMENT $FLIGHTDECK_BASELINE $FLIGHTDECK_CANARY"'], timeoutMs: 5_000 },
      "dataMigration",
      ctx,
    );
    expect(outcome.status).toBe("done");
    expect(outcome.detail).toContain("migrated");
    expect(outcome.detail).toContain("run-42 checkout production 1.0.0 1.1.0");
  });

  it("is told its idempotency key and attempt, so a retry after a crash can be recognised", async () => {
    const outcome = await runHook({ kind: "command", command: "/bin/sh", args: ["-c", 'echo "key=$FLIGHTDECK_IDEMPOTENCY_KEY attempt=$FLIGHTDECK_ATTEMPT"'], timeoutMs: 5_000 }, "dataMigration", ctx);
    expect(outcome.detail).toContain("key=run-42:rollback:dataMigration attempt=2");
  });

  it("does not hand the server's environment to the hook", async () => {
    const outcome = await runHook({ kind: "command", command: "/usr/bin/env", args: [], timeoutMs: 5_000 }, "dataMigration", ctx);
    expect(outcome.status).toBe("done");
    expect(outcome.detail).not.toMatch(/DATABASE_URL|NODE_OPTIONS|VITEST/);
  });

  it("a non-zero exit fails the step with the code and the end of the output", async () => {
    const outcome = await runHook({ kind: "command", command: "/bin/sh", args: ["-c", "echo 'down-migration 0042 missing' >&2; exit 3"], timeoutMs: 5_000 }, "dataMigration", ctx);
    expect(outcome).toEqual({ status: "failed", detail: "Data-migration hook exited with code 3; output: down-migration 0042 missing" });
  });

  it("keeps only the last 2,000 characters of a chatty command", async () => {
    const outcome = await runHook({ kind: "command", command: "/bin/sh", args: ["-c", "i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done"], timeoutMs: 5_000 }, "cacheInvalidation", ctx);
    expect(outcome.status).toBe("done");
    expect(outcome.detail).toContain("line-499");
    expect(outcome.detail).not.toContain("line-0\n"); // the start is dropped, not the end
    expect(outcome.detail.length).toBeLessThan(2_100);
  });

  it("a hanging command is killed at its timeout, with what it started", async () => {
    const t0 = Date.now();
    const outcome = await runHook({ kind: "command", command: "/bin/sh", args: ["-c", "echo started; sleep 30"], timeoutMs: 500 }, "cacheInvalidation", ctx);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(outcome.status).toBe("failed");
    expect(outcome.detail).toMatch(/^Cache\/CDN invalidation hook timed out after 500 ms and was killed; output: started$/);
  });

  it("a program that does not exist fails with the reason", async () => {
    const outcome = await runHook({ kind: "command", command: "/nonexistent/migrate", args: [], timeoutMs: 1_000 }, "dataMigration", ctx);
    expect(outcome.status).toBe("failed");
    expect(outcome.detail).toMatch(/could not start \/nonexistent\/migrate: .*ENOENT/);
  });

  it("no hook is a skipped step", async () => {
    expect(await runHook(null, "cacheInvalidation", ctx)).toEqual({ status: "skipped", detail: "No cache/CDN invalidation hook configured for this service." });
  });
});

describe("webhook hooks", () => {
  it("posts the run, signed with the hook's secret", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: '{"purged":12}' }));
    try {
      const outcome = await runHook({ kind: "webhook", url: receiver.url, secret: "purge-secret" }, "cacheInvalidation", ctx);
      expect(outcome).toEqual({ status: "done", detail: 'Cache/CDN invalidation webhook answered HTTP 200: {"purged":12}' });
      const [d] = receiver.deliveries;
      expect(d).toBeDefined();
      if (!d) return;
      expect(verifyWebhookSignature("purge-secret", d.headers[TIMESTAMP_HEADER], d.body, d.headers[SIGNATURE_HEADER], Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyWebhookSignature("another-secret", d.headers[TIMESTAMP_HEADER], d.body, d.headers[SIGNATURE_HEADER], Math.floor(Date.now() / 1000))).toBe(false);
      expect(JSON.parse(d.body)).toMatchObject({ event: "rollbackHook", hook: "cacheInvalidation", ...ctx });
    } finally {
      await receiver.close();
    }
  });

  it("a refusing receiver fails the step with its status, without leaking the URL's token", async () => {
    const receiver = await startReceiver(() => ({ status: 403, body: "bad signature" }));
    try {
      const outcome = await runHook({ kind: "webhook", url: receiver.url, secret: "s" }, "dataMigration", ctx);
      expect(outcome.status).toBe("failed");
      expect(outcome.detail).toMatch(/^Data-migration webhook failed: .*HTTP 403 "bad signature"/);
      expect(outcome.detail).not.toContain("not-for-logs");
    } finally {
      await receiver.close();
    }
  });
});
