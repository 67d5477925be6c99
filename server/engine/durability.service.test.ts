import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import { runCommand } from "../services/runs.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import type { SessionUser } from "../auth/session.ts";

const url = inject("databaseUrl");
// This engine is never started: the test only dispatches commands through it, as a server
// action would; the engines that own deadlines and effects are separate OS processes.
const h = makeEngine(url);
let rm: SessionUser;
const children: ChildProcess[] = [];

function spawnEngine(checkDelayMs = 0): Promise<ChildProcess> {
  // node --import tsx, not the tsx CLI: the CLI forks a second process that SIGKILL would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/testing/engine-process.ts"), url, String(checkDelayMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("engine ready")) resolve(child);
    });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function state(runId: string): Promise<RunState> {
  return (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } })).state as unknown as RunState;
}

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterEach(async () => {
  await Promise.all(children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null).map(kill9));
});
afterAll(async () => {
  await disconnectDb();
});

describe("durable execution across kill -9", () => {
  it("resumes a hold at the same step with the same deadline after the engine is killed", async () => {
    const svc = await makeService(h.db, { holdScale: 3 / 1800 }); // staging canary step 1: 30 min → 3 s
    let engine = await spawnEngine();
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).waitingFor === "weight_confirmation", 20_000);
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
    const holding = await state(run.id);
    const deadline = holding.holdEndsAt;
    expect(deadline).not.toBeNull();

    await kill9(engine);
    // Nothing wakes the run while no engine runs: it stays on step 1, its deadline untouched.
    await new Promise((r) => setTimeout(r, Math.max(0, (deadline ?? 0) - Date.now()) + 300));
    const frozen = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    expect((frozen.state as unknown as RunState).stepIndex).toBe(0);
    expect(frozen.deadlineAt?.getTime()).toBe(deadline);

    engine = await spawnEngine();
    const resumed = await eventually(async () => {
      const s = await state(run.id);
      return s.stepIndex === 1 ? s : null;
    }, 20_000);
    expect(resumed.waitingFor).toBe("weight_confirmation");
    const step0 = await h.db.rolloutStep.findUniqueOrThrow({ where: { runId_index: { runId: run.id, index: 0 } } });
    expect(step0.status).toBe("done");
    expect(step0.deadlineAt?.getTime()).toBe(deadline);
    expect(await h.db.decision.count({ where: { runId: run.id, trigger: "hold-elapsed" } })).toBe(1);
  }, 60_000);

  it("two engine processes on one database advance a due step exactly once", async () => {
    const svc = await makeService(h.db, { holdScale: 2 / 1800 });
    await Promise.all([spawnEngine(), spawnEngine()]);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).waitingFor === "weight_confirmation", 20_000);
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
    await eventually(async () => (await state(run.id)).stepIndex === 1, 20_000);
    await new Promise((r) => setTimeout(r, 500)); // give a second, late tick every chance to misfire
    expect(await h.db.decision.count({ where: { runId: run.id, trigger: "hold-elapsed" } })).toBe(1);
    expect((await state(run.id)).stepIndex).toBe(1);
    // Each pre-deploy agent ran once, though two workers were polling the same outbox.
    const logs = await h.db.agentLog.count({ where: { task: { runId: run.id, phase: "pre_deploy" } } });
    expect(logs).toBe(3);
  }, 60_000);

  it("an agent phase interrupted by kill -9 is taken over once the lease expires, without running finished agents again", async () => {
    const svc = await makeService(h.db);
    const first = await spawnEngine(4_000); // checks take 4 s
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).agents.some((a) => a.status === "running"), 20_000);
    await kill9(first);
    const effect = await h.db.effect.findFirstOrThrow({ where: { runId: run.id, kind: "runAgents" } });
    expect(effect.status).toBe("running");

    await spawnEngine(200);
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.phase === "rollout" ? x : null;
    }, 30_000);
    expect(s.agents.filter((a) => a.phase !== "post_deploy").every((a) => a.status === "not_configured")).toBe(true);
    // The worker marks an effect done just after it dispatched the result that moved the run on.
    const effects = await eventually(async () => {
      const all = await h.db.effect.findMany({ where: { runId: run.id, kind: "runAgents" } });
      return all.every((e) => e.status === "done") ? all : null;
    }, 10_000);
    expect(effects.find((e) => e.id === effect.id)?.attempts).toBe(2);
  }, 60_000);

  it("a rollback hook interrupted by kill -9 runs again, told the same idempotency key and attempt 2", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-hook-"));
    chmodSync(dir, 0o777);
    const log = path.join(dir, "hook.log");
    try {
      const svc = await makeService(h.db);
      // The first attempt records itself and hangs, as a migration would when the server dies under it.
      const script = `echo "$FLIGHTDECK_IDEMPOTENCY_KEY $FLIGHTDECK_ATTEMPT" >> '${log}'; if [ "$FLIGHTDECK_ATTEMPT" = 1 ]; then exec sleep 20; fi`;
      await h.db.environment.update({
        where: { serviceId_name: { serviceId: svc.id, name: "staging" } },
        data: { hooks: { dataMigration: { kind: "command", command: "/bin/sh", args: ["-c", script], timeoutMs: 60_000 }, cacheInvalidation: null } },
      });
      const first = await spawnEngine();
      const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
      await eventually(async () => (await state(run.id)).phase === "rollout", 20_000);
      await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
      await runCommand(h.engine, rm, { kind: "rollback", runId: run.id, reason: "checkout errors" });
      await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 0 });
      await eventually(async () => existsSync(log) && readFileSync(log, "utf8").includes(" 1"), 20_000);
      await kill9(first);

      await spawnEngine();
      await eventually(async () => (await state(run.id)).status === "rolled_back", 30_000);
      const key = `${run.id}:rollback:dataMigration`;
      expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([`${key} 1`, `${key} 2`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
