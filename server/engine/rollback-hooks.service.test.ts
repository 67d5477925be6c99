import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from "../adapters/routers/webhook/signature.ts";
import { startReceiver, type TestReceiver } from "../adapters/routers/webhook/webhook-receiver.fixture.ts";
import type { SessionUser } from "../auth/session.ts";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import { setRuntime } from "../runtime.ts";
import { runCommand } from "../services/runs.ts";
import { encryptSecret } from "../secrets.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";

// A run rolled back through the engine runs the environment's hooks from the database: real
// processes, a real signed webhook, the rollback's steps in PostgreSQL.
const url = inject("databaseUrl");
setRuntime({ databaseUrl: url, authSecret: "rollback-hooks-test-session-secret-0123456789", publicUrl: "http://127.0.0.1", testMode: true });
const h = makeEngine(url);
let rm: SessionUser;
let receiver: TestReceiver;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  receiver = await startReceiver(() => ({ status: 200, body: '{"purged":3}' }));
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await receiver.close();
  await disconnectDb();
});

const state = async (runId: string) => (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } })).state as unknown as RunState;
const waitFor = (runId: string, pred: (s: RunState) => boolean, ms = 15_000) =>
  eventually(async () => {
    const s = await state(runId);
    return pred(s) ? s : null;
  }, ms);

async function rollBack(hooks: object) {
  const svc = await makeService(h.db);
  await h.db.environment.update({ where: { serviceId_name: { serviceId: svc.id, name: "staging" } }, data: { hooks } });
  const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
  await waitFor(run.id, (x) => x.phase === "rollout");
  await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
  await runCommand(h.engine, rm, { kind: "rollback", runId: run.id, reason: "checkout errors" });
  await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 0 });
  await waitFor(run.id, (x) => x.status === "rolled_back");
  const rb = await h.db.rollback.findUniqueOrThrow({ where: { runId: run.id }, include: { steps: { orderBy: { index: "asc" } } } });
  return { run, svc, steps: rb.steps };
}

describe("rollback hooks", () => {
  it("runs the data-migration command and the signed cache-invalidation webhook, and records both as done", async () => {
    const { run, svc, steps } = await rollBack({
      dataMigration: { kind: "command", command: "/bin/sh", args: ["-c", 'echo "migrated $FLIGHTDECK_CANARY down to $FLIGHTDECK_BASELINE (key $FLIGHTDECK_IDEMPOTENCY_KEY, attempt $FLIGHTDECK_ATTEMPT)"'], timeoutMs: 5_000 },
      cacheInvalidation: { kind: "webhook", url: receiver.url, secret: encryptSecret("purge-secret") },
    });
    const byKind = Object.fromEntries(steps.map((s) => [s.kind, s]));
    expect(byKind.data_migration?.status).toBe("done");
    expect(byKind.data_migration?.detail).toContain(`migrated 1.1.0 down to 1.0.0 (key ${run.id}:rollback:dataMigration, attempt 1)`);
    expect(byKind.cache_invalidation?.status).toBe("done");
    expect(byKind.cache_invalidation?.detail).toContain("HTTP 200");
    const delivery = receiver.deliveries.find((d) => d.body.includes(run.id));
    expect(delivery).toBeDefined();
    if (!delivery) return;
    expect(verifyWebhookSignature("purge-secret", delivery.headers[TIMESTAMP_HEADER], delivery.body, delivery.headers[SIGNATURE_HEADER], Math.floor(Date.now() / 1000))).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ event: "rollbackHook", hook: "cacheInvalidation", runId: run.id, service: svc.slug, environment: "staging", idempotencyKey: `${run.id}:rollback:cacheInvalidation`, attempt: 1 });
  });

  it("a failing and a hanging hook are recorded as failed, and the rollback still completes", async () => {
    const { steps } = await rollBack({
      dataMigration: { kind: "command", command: "/bin/sh", args: ["-c", "echo 'no down-migration' >&2; exit 3"], timeoutMs: 5_000 },
      cacheInvalidation: { kind: "command", command: "/bin/sh", args: ["-c", "sleep 30"], timeoutMs: 500 },
    });
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ["revert_traffic", "done"],
      ["data_migration", "failed"],
      ["cache_invalidation", "failed"],
      ["notify", "done"],
      ["postmortem", "done"],
    ]);
    expect(steps[1]?.detail).toBe("Data-migration hook exited with code 3; output: no down-migration");
    expect(steps[2]?.detail).toMatch(/timed out after 500 ms/);
  });
});
