import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import type { CheckContext, CheckResult, CheckRunner } from "./ports.ts";
import { runCommand } from "../services/runs.ts";
import { inPool } from "./run-agents.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import type { SessionUser } from "../auth/session.ts";

/** Answers per agent; "hang" never finishes unless aborted; "chatty" logs far past the cap. */
const behaviours = new Map<string, (ctx: CheckContext) => Promise<CheckResult>>();
const runner: CheckRunner = {
  run: (ctx) => (behaviours.get(`${ctx.service}:${ctx.agent}`) ?? defaultPass)(ctx),
};
async function defaultPass(ctx: CheckContext): Promise<CheckResult> {
  await ctx.progress(50);
  await ctx.log(`${ctx.agent}: all good`);
  return { checks: [{ name: "checks", outcome: "ran" }], summary: "all checks passed", findings: [] };
}

const url = inject("databaseUrl");
const h = makeEngine(url, { checks: runner });
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

const state = async (id: string) => (await h.db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;

describe("agents", () => {
  it("a critical finding blocks the gate and cannot be waived; the finding and its evidence are stored", async () => {
    const svc = await makeService(h.db);
    behaviours.set(`${svc.slug}:security-audit-specialist`, async () => ({
      checks: [{ name: "dependency audit", outcome: "ran" }],
      summary: "1 critical vulnerability",
      findings: [{ severity: "critical", message: "lodash prototype pollution", evidence: "CVE-2019-10744 in lodash@4.17.11" }],
    }));
    const run = await startRun(h, rm, runInput(svc.id));
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.phase === "approval" ? x : null;
    });
    expect(s.gate.blockers.map((b) => [b.id, b.waivable])).toEqual([["findings:security-audit-specialist", false]]);
    await expect(runCommand(h.engine, rm, { kind: "waive", runId: run.id, reason: "ship anyway" })).rejects.toMatchObject({ userMessage: "Nothing here can be waived." });
    await expect(runCommand(h.engine, rm, { kind: "approve", runId: run.id, reason: "" })).rejects.toMatchObject({ code: "CONFLICT" });
    const finding = await h.db.finding.findFirstOrThrow({ where: { runId: run.id } });
    expect(finding).toMatchObject({ severity: "critical", evidence: "CVE-2019-10744 in lodash@4.17.11" });
    await runCommand(h.engine, rm, { kind: "reject", runId: run.id, reason: "fix the CVE first" });
    expect((await state(run.id)).status).toBe("failed");
  });

  it("a hanging check is stopped at its timeout and reported as an error, never a pass", async () => {
    const svc = await makeService(h.db);
    behaviours.set(`${svc.slug}:devops-engineer`, (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))));
    // The harness engine's checks time out after 5 s; the run reports the timeout.
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.agents.find((a) => a.agent === "devops-engineer" && a.status === "error") ? x : null;
    }, 15_000);
    expect(s.agents.find((a) => a.agent === "devops-engineer")?.summary).toMatch(/timed out after 5000 ms/);
  });

  it("a rollback cancels running agents and the run does not wait for them", async () => {
    const svc = await makeService(h.db);
    behaviours.set(`${svc.slug}:qa-test-engineer`, (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))));
    const run = await startRun(h, rm, runInput(svc.id));
    await eventually(async () => (await state(run.id)).agents.some((a) => a.agent === "qa-test-engineer" && a.status === "running"));
    await runCommand(h.engine, rm, { kind: "rollback", runId: run.id, reason: "wrong build picked" });
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.status === "rolled_back" ? x : null;
    });
    expect(s.agents.find((a) => a.agent === "qa-test-engineer")?.status).toBe("cancelled");
    expect(s.rollback?.steps[0]).toMatchObject({ kind: "revert_traffic", status: "skipped" });
    const task = await h.db.agentTask.findFirstOrThrow({ where: { runId: run.id, agent: "qa-test-engineer" } });
    expect(task.status).toBe("cancelled");
  });

  it("huge logs are truncated with a marker, so memory and the database stay bounded", async () => {
    const svc = await makeService(h.db);
    behaviours.set(`${svc.slug}:systems-engineer`, async (ctx) => {
      for (let i = 0; i < 2_100; i++) await ctx.log(`line ${i} ${"x".repeat(5_000)}`);
      return { checks: [{ name: "load test", outcome: "ran" }], summary: "load test within SLA", findings: [] };
    });
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).agents.find((a) => a.agent === "systems-engineer")?.status === "passed", 60_000);
    const task = await h.db.agentTask.findFirstOrThrow({ where: { runId: run.id, agent: "systems-engineer" } });
    const lines = await h.db.agentLog.findMany({ where: { taskId: task.id }, orderBy: { id: "asc" } });
    expect(lines.length).toBe(2_001);
    expect(lines.at(-1)?.line).toMatch(/log truncated after 2000 lines/);
    expect(Math.max(...lines.map((l) => l.line.length))).toBeLessThanOrEqual(2_000);
  }, 90_000);

  it("agents stream progress and log lines to the run's room with increasing sequence numbers", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).phase === "rollout");
    const mine = h.published.filter((e) => e.event.runId === run.id && e.kind !== "notification");
    const seqs = mine.map((e) => ("seq" in e.event ? e.event.seq : 0));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(mine.some((e) => e.kind === "agentProgress" && e.event.progress === 50)).toBe(true);
    expect(mine.some((e) => e.kind === "agentLog" && e.event.line === "qa-test-engineer: all good")).toBe(true);
    const row = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(Math.max(...seqs)).toBe(row.seq);
  });

  it("placeholders in the environment's check configuration are filled per release; one without a value here is an error", async () => {
    const svc = await makeService(h.db);
    await h.db.environment.updateMany({
      where: { serviceId: svc.id, name: "staging" },
      data: { checks: { "qa-test-engineer": { workspace: "/srv/{service}/{targetVersion}", previous: "/srv/{baselineVersion}" }, "devops-engineer": { rollbackTarget: { url: "{baselineUrl}/healthz" } } } },
    });
    const seen: unknown[] = [];
    behaviours.set(`${svc.slug}:qa-test-engineer`, async (ctx) => {
      seen.push(ctx.config);
      return defaultPass(ctx);
    });
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low", targetVersion: "1.1.0" }));
    const s = await eventually(async () => {
      const x = await state(run.id);
      return x.agents.find((a) => a.agent === "devops-engineer" && a.status === "error") ? x : null;
    });
    expect(seen).toEqual([{ workspace: `/srv/${svc.slug}/1.1.0`, previous: "/srv/1.0.0" }]);
    expect(s.agents.find((a) => a.agent === "devops-engineer")?.summary).toMatch(/uses \{baselineUrl\}, which has no value here/);
  });

  it("a phase's agents run in a bounded pool: never more than two at once", async () => {
    const svc = await makeService(h.db);
    let running = 0;
    let most = 0;
    const slow = async (ctx: CheckContext): Promise<CheckResult> => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 300));
      running--;
      return defaultPass(ctx);
    };
    for (const agent of ["qa-test-engineer", "security-audit-specialist", "devops-engineer"]) behaviours.set(`${svc.slug}:${agent}`, slow);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await eventually(async () => (await state(run.id)).agents.filter((a) => a.phase === "pre_deploy").every((a) => a.status === "passed"));
    expect(most).toBe(2);
  });

  it("when one agent's bookkeeping fails, no further agent starts and the failure surfaces only after the running one ends", async () => {
    const events: string[] = [];
    const work = async (name: string) => {
      events.push(`start ${name}`);
      if (name === "a") throw new Error("database went away");
      await new Promise((r) => setTimeout(r, 100));
      events.push(`end ${name}`);
    };
    await expect(inPool(["a", "b", "c"], 2, work)).rejects.toThrow("database went away");
    expect(events).toEqual(["start a", "start b", "end b"]);
  });
});
