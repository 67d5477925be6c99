import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../../../auth/session.ts";
import type { RunState } from "../../../core/types.ts";
import { connectDb, disconnectDb } from "../../../db/client.ts";
import { runCommand, createRun } from "../../../services/runs.ts";
import { eventually, makeService, makeUser, testEngine } from "../../../testing/harness.ts";
import { MemoryNotifier } from "../../memory.ts";
import { ArraySink } from "../builtin/test-helpers.ts";
import { buildRouter } from "../build-router.ts";
import { RouterRegistry } from "../registry.ts";

// A run on a command router, through the engine: its weight changes run a real script configured
// in the database, and a failing script holds the run with the script's own words, as a failing
// webhook router does.
const url = inject("databaseUrl");
const db = connectDb(url);
const registry = new RouterRegistry();
const notifier = new MemoryNotifier();
const engine = testEngine(db, { notifier, routerFor: (kind, target) => registry.routerFor(kind, target) });
let manager: SessionUser;
let dir: string;

beforeAll(async () => {
  manager = await makeUser(db, "release_manager");
  dir = await mkdtemp(path.join(tmpdir(), "fd-command-engine-"));
  engine.start();
});
afterAll(async () => {
  await engine.stop();
  await registry.stopManaged();
  await rm(dir, { recursive: true, force: true });
  await disconnectDb();
});

const state = async (id: string) => (await db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;
const waitFor = (id: string, pred: (s: RunState) => boolean) =>
  eventually(async () => {
    const s = await state(id);
    return pred(s) ? s : null;
  }, 20_000);

describe("a run on a command router", () => {
  it("each weight reaches the command; a failing command holds the run with its stderr; the rollback sets 0% through it", async () => {
    const weights = path.join(dir, "weights.log");
    const failFlag = path.join(dir, "fail");
    // The team's script: fails while the flag file exists, otherwise records the weight it applied.
    const script = `if [ -e ${failFlag} ]; then echo "error: httproutes.gateway.networking.k8s.io \\"$FLIGHTDECK_SERVICE\\" is forbidden" >&2; exit 3; fi; echo "$FLIGHTDECK_WEIGHT $FLIGHTDECK_RUN_ID" >> ${weights}`;
    const svc = await makeService(db, { router: "command" });
    await db.environment.update({ where: { serviceId_name: { serviceId: svc.id, name: "staging" } }, data: { router: "command", routerConfig: { kind: "command", command: ["/bin/sh", "-c", script], timeoutSeconds: 10 } } });
    await registry.syncFromDb(db, (config) => buildRouter(config, { sink: new ArraySink() }), () => {});

    const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, manager, {
      serviceId: svc.id,
      environment: "staging",
      targetVersion: "1.1.0",
      strategy: "canary",
      risk: "low",
      compliance: "none",
    });
    const first = await waitFor(run.id, (s) => s.stepPhase === "holding");
    expect(first.canaryPercent).toBeGreaterThan(0);
    expect(await readFile(weights, "utf8")).toBe(`${first.canaryPercent} ${run.id}\n`);

    // The next weight fails: the run stays where it was and says why, in the command's words.
    await writeFile(failFlag, "");
    await runCommand(engine, manager, { kind: "promote", runId: run.id, reason: "move on" });
    const held = await waitFor(run.id, (s) => s.waitingFor === "weight_confirmation");
    expect(held.status).toBe("running");
    const decision = await eventually(() => db.decision.findFirst({ where: { runId: run.id, trigger: "router" }, orderBy: { createdAt: "desc" } }));
    expect(decision.reason).toMatch(/^Traffic router failed: router command \/bin\/sh \(setting \d+% to the canary\) exited with code 3; stderr: error: httproutes.gateway.networking.k8s.io "svc-[0-9a-f]{8}" is forbidden$/);
    expect(notifier.sent.some((n) => n.runId === run.id && n.severity === "critical" && n.message.includes("is forbidden"))).toBe(true);

    // Fixed: the rollback's "revert traffic" step sets 0% through the same command.
    await rm(failFlag);
    await runCommand(engine, manager, { kind: "rollback", runId: run.id, reason: "router broke" });
    const done = await waitFor(run.id, (s) => s.status === "rolled_back");
    expect(done.rollback?.steps.find((s) => s.kind === "revert_traffic")).toMatchObject({ status: "done", detail: "Canary weight 0%, verified" });
    expect((await readFile(weights, "utf8")).trim().split("\n").at(-1)).toBe(`0 ${run.id}`);
  });
});
