import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readRecordMaterial } from "../server/adapters/checks/release-record-material.ts";
import { notConfiguredRunner } from "../server/adapters/checks/not-configured.ts";
import { runHook } from "../server/adapters/hooks/run-hook.ts";
import { MemoryNotifier } from "../server/adapters/memory.ts";
import { setAppContext } from "../server/context.ts";
import { ZApiRun, type ApiRun } from "../server/contracts/api-v1.ts";
import { connectDb, disconnectDb } from "../server/db/client.ts";
import { Engine } from "../server/engine/engine.ts";
import { MetricsAggregator } from "../server/metrics/aggregator.ts";
import { runAuditVerify } from "../server/services/audit-chain.ts";
import { fanOut, runEventHub } from "../server/realtime/event-hub.ts";
import { eventually, makeService } from "../server/testing/harness.ts";
import { startApiServer } from "../server/testing/api-v1-server.ts";
import { cli } from "./testing/fake-api.ts";
import { spawnCli } from "./testing/spawn-cli.ts";

/**
 * End to end: `flightdeck admin token create` on the database, then `flightdeck run create
 * --wait` as its own process against the real API v1 (route handlers on a loopback HTTP server,
 * a real engine and PostgreSQL), while the test plays the release manager with the CLI's own
 * commands (waive, approve, confirm each weight, roll back).
 */

const databaseUrl = inject("databaseUrl");
const db = connectDb(databaseUrl);
const engine = new Engine({
  runRollbackHook: runHook,
  readRecordMaterial,
  db,
  // As main.ts wires it: the engine's events reach the API's streams through the hub.
  publish: fanOut(runEventHub().publish),
  clock: () => Date.now(),
  notifier: new MemoryNotifier(),
  routerFor: () => null,
  checkRunnerFor: () => notConfiguredRunner,
  checkTimeoutMs: 5_000,
  tickMs: 50,
  onError: () => {},
});

let api: { url: string; close: () => Promise<void> };
let token = "";
let env: Record<string, string> = {};

beforeAll(async () => {
  setAppContext({ engine, globalHoldScale: 1, aggregator: new MetricsAggregator(() => Date.now()), demo: null });
  engine.start();
  api = await startApiServer();
  // The bootstrap path: a token made straight on the database, printed once on stdout.
  const created = await spawnCli(["admin", "token", "create", "--name", "ci", "--role", "release_manager"], { env: { DATABASE_URL: databaseUrl } });
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim();
  expect(token).toMatch(/^fd_[A-Za-z0-9_-]{43}$/);
  expect(created.stderr).toContain('Created API token "ci": runs:read, runs:write; acts as role release_manager');
  env = { FLIGHTDECK_URL: api.url, FLIGHTDECK_TOKEN: token };
}, 60_000);
afterAll(async () => {
  await api.close();
  await engine.stop();
  await disconnectDb();
});

async function current(ref: string): Promise<ApiRun> {
  const got = await cli(["run", "get", ref, "--json"], { env });
  expect(got.code, got.stderr).toBe(0);
  return ZApiRun.parse(JSON.parse(got.stdout));
}

/** The run `run create --wait` made, once it exists (the newest of the service). */
const runOf = (service: string) =>
  eventually(async () => {
    const listed = await cli(["run", "list", "--service", service, "--json"], { env });
    const run = (JSON.parse(listed.stdout || '{"runs":[]}') as { runs: ApiRun[] }).runs[0];
    return run ?? null;
  }, 20_000);

/** Acts as the release manager would with the CLI: waive and approve at gates, confirm each weight, until `stop` says enough. */
async function drive(ref: string, stop: (run: ApiRun) => boolean): Promise<ApiRun> {
  const confirmed = new Set<string>();
  return eventually(async () => {
    const run = await current(ref);
    if (stop(run)) return run;
    const step = run.currentStep;
    if (run.waitingFor === "waiver") await cli(["run", "waive", ref, "--reason", "checks are configured next sprint"], { env });
    else if (run.waitingFor === "approval") await cli(["run", "approve", ref], { env });
    else if (run.waitingFor === "weight_confirmation" && step && !confirmed.has(`${run.status}:${step.index}`)) {
      confirmed.add(`${run.status}:${step.index}`);
      // Rolling back, the operator confirms the canary is at 0%.
      const percent = run.status === "rolling_back" ? 0 : step.weight;
      const sent = await cli(["run", "confirm-weight", ref, "--percent", String(percent)], { env });
      expect(sent.code, sent.stderr).toBe(0);
    }
    return null;
  }, 25_000);
}

describe("flightdeck run create --wait against the real API", () => {
  it("follows a run to its release, printing its progress, and exits 0", async () => {
    const svc = await makeService(db, { holdScale: 1 / 3_600_000 }); // every hold at the 1 s floor
    const waiting = spawnCli(["run", "create", "--service", svc.slug, "--environment", "staging", "--version", "1.1.0", "--risk", "medium", "--commit-sha", "abc1234", "--wait", "--timeout", "2m"], { env: { ...env, CI: "true" } });
    const run = await runOf(svc.slug);
    expect(run).toMatchObject({ version: "1.1.0", commitSha: "abc1234", createdBy: "ci (API token)" });
    await drive(String(run.number), (r) => r.status === "succeeded");
    const result = await waiting;
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toContain(`Created: run #${run.number} ${svc.slug} 1.1.0 → staging`);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(l))).toBe(true);
    const text = result.stdout;
    expect(text).toContain("running · approval gate");
    expect(text).toMatch(/running · rollout · step 1\/\d at \d+% · waiting for someone to confirm the traffic weight/);
    expect(text).toContain(`#${run.number} ${svc.slug} 1.1.0 → staging: released — Released 1.1.0`);
  }, 90_000);

  it("exits 2 when the run is rolled back, and a retried create with the same job's key follows the same run", async () => {
    const svc = await makeService(db, { holdScale: 1 / 3_600_000 });
    const job = { ...env, CI: "true", GITHUB_RUN_ID: "777", GITHUB_RUN_ATTEMPT: "1", GITHUB_REPOSITORY: "acme/shop" };
    const args = ["run", "create", "--service", svc.slug, "--environment", "staging", "--version", "1.2.0", "--risk", "medium", "--wait", "--json"];
    const waiting = spawnCli(args, { env: job });
    const run = await runOf(svc.slug);
    await drive(String(run.number), (r) => r.phase === "rollout" && r.canaryPercent > 0);
    // The step is retried while the first one still waits: no second run, the same one followed.
    const retry = spawnCli(args, { env: job });
    await new Promise((r) => setTimeout(r, 3_000));
    const rolledBack = await cli(["run", "rollback", String(run.number), "--reason", "error rate spiking"], { env });
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    // Manual router: the operator confirms traffic is back on the baseline.
    await drive(String(run.number), (r) => r.status === "rolled_back");
    for (const result of [await waiting, await retry]) {
      expect(result.code, result.stderr).toBe(2);
      const last = JSON.parse(result.stdout.trimEnd().split("\n").at(-1) ?? "{}") as { event: string; outcome: string; run: ApiRun };
      expect(last).toMatchObject({ event: "result", outcome: "rolled back", exitCode: 2, run: { id: run.id, status: "rolled_back" } });
      expect(last.run.outcomeReason).toContain("error rate spiking");
    }
    expect((await db.releaseRun.count({ where: { serviceId: svc.id } }))).toBe(1);
  }, 90_000);

  it("exits 3 when the run is rejected at its approval gate", async () => {
    const svc = await makeService(db, { holdScale: 1 / 3_600_000 });
    const waiting = spawnCli(["run", "create", "--service", svc.slug, "--environment", "staging", "--version", "1.3.0", "--risk", "medium", "--wait"], { env: { ...env, CI: "true" } });
    const run = await runOf(svc.slug);
    await drive(String(run.number), (r) => r.waitingFor === "approval");
    const rejected = await cli(["run", "reject", String(run.number), "--reason", "not during the sale"], { env });
    expect(rejected.code, rejected.stderr).toBe(0);
    const result = await waiting;
    expect(result.code, result.stderr + result.stdout).toBe(3);
    expect(result.stdout).toContain("waiting for approval");
    expect(result.stdout).toMatch(/: rejected — Rejected at the approval gate by ci \(API token\): not during the sale/);
  }, 60_000);

  it("prints the server's OpenAPI document, and the API's refusals readably", async () => {
    const doc = await cli(["openapi"], { env: { FLIGHTDECK_URL: api.url } });
    expect(doc.code).toBe(0);
    expect(JSON.parse(doc.stdout)).toMatchObject({ openapi: expect.stringMatching(/^3\.1/), paths: expect.objectContaining({ "/api/v1/runs": expect.anything() }) });
    const unknown = await cli(["run", "create", "--service", "no-such-service", "--environment", "staging", "--version", "1.0.1"], { env });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('service: No service "no-such-service"') });
    const svc = await makeService(db);
    const first = await cli(["run", "create", "--service", svc.slug, "--environment", "production", "--version", "1.0.1"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^\d+\n$/);
    const busy = await cli(["run", "create", "--service", svc.slug, "--environment", "production", "--version", "1.0.2"], { env });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`Run #${first.stdout.trim()} is still in progress`);
    expect(busy.stderr).toContain(`Runs in progress there: flightdeck run list --service ${svc.slug} --environment production --status active`);
    const missing = await cli(["run", "get", "999999"], { env });
    expect(missing).toMatchObject({ code: 1, stderr: "flightdeck: Not found (HTTP 404)\n  No run 999999.\n" });
  });
});

describe("flightdeck admin", () => {
  it("creates a user with a generated password printed once, audited as the OS user; refuses bad input and writes nothing", async () => {
    const email = `ops-${Date.now()}@example.test`;
    const made = await spawnCli(["admin", "user", "create", "--email", email, "--name", "Ops Person", "--role", "on_call"], { env: { DATABASE_URL: databaseUrl } });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.role).toBe("on_call");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.create", summary: { contains: email } } });
    expect(audit.actorName).toMatch(/\(flightdeck admin on the server\)$/);
    const again = await spawnCli(["admin", "user", "create", "--email", email, "--name", "Ops Person", "--role", "on_call", "--password", "short"], { env: { DATABASE_URL: databaseUrl } });
    expect(again).toMatchObject({ code: 1, stdout: "" });
    expect(again.stderr).toContain("--password: At least 12 characters");
    const tokens = await db.apiToken.count();
    const limited = await spawnCli(["admin", "token", "create", "--name", "deploy", "--service", "no-such-service"], { env: { DATABASE_URL: databaseUrl } });
    expect(limited).toMatchObject({ code: 1, stdout: "" });
    expect(limited.stderr).toContain("Nothing was created: Unknown service: no-such-service.");
    expect(await db.apiToken.count()).toBe(tokens);
  }, 60_000);

  it("audit verify says what the audit chain check finds, and exits by it", async () => {
    const verified = await spawnCli(["admin", "audit", "verify"], { env: { DATABASE_URL: databaseUrl } });
    // Other test files may break the shared database's chain on purpose: the CLI must say exactly what the check says.
    const expected = await runAuditVerify(db);
    expect(verified.stdout.trim()).toMatch(/^(Intact: \d+ entries|Broken at entry #\d+)/);
    expect(verified.stdout.trim().split(":")[0]).toBe(expected.text.split(":")[0]);
    expect(verified.code).toBe(expected.exitCode);
  }, 60_000);
});
