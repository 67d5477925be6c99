import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { runCommand } from "../services/runs.ts";
import type { SessionUser } from "../auth/session.ts";

const url = inject("databaseUrl");
const h = makeEngine(url);
let rm: SessionUser;
let rm2: SessionUser;
let onCall: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  rm2 = await makeUser(h.db, "release_manager");
  onCall = await makeUser(h.db, "on_call");
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

async function state(runId: string): Promise<RunState> {
  const run = await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } });
  return run.state as unknown as RunState;
}
const waitFor = (runId: string, pred: (s: RunState) => boolean, ms = 10_000) =>
  eventually(async () => {
    const s = await state(runId);
    return pred(s) ? s : null;
  }, ms);

describe("a production canary on the manual router, end to end against PostgreSQL", () => {
  it("records unconfigured agents, waits for a waiver and approval, holds each step, and succeeds with a release record", async () => {
    const svc = await makeService(h.db, { holdScale: 1 / 3_600_000 }); // every hold at the 1 s floor
    const run = await startRun(h, rm, runInput(svc.id));

    let s = await waitFor(run.id, (x) => x.phase === "approval");
    expect(s.agents.filter((a) => a.phase !== "post_deploy").map((a) => a.status)).toEqual(Array(5).fill("not_configured"));
    expect(s.waitingFor).toBe("waiver");
    const tasks = await h.db.agentTask.findMany({ where: { runId: run.id, phase: "pre_deploy" } });
    expect(tasks.every((t) => t.status === "not_configured" && t.progress === 100)).toBe(true);
    expect(await h.db.agentLog.count({ where: { taskId: { in: tasks.map((t) => t.id) } } })).toBeGreaterThanOrEqual(3);

    await runCommand(h.engine, rm2, { kind: "waive", runId: run.id, reason: "checks arrive next sprint" });
    await runCommand(h.engine, rm2, { kind: "approve", runId: run.id, reason: "" });
    s = await state(run.id);
    expect(s.phase).toBe("rollout");
    expect(s.waitingFor).toBe("weight_confirmation");

    for (const percent of [5, 50, 100]) {
      await waitFor(run.id, (x) => x.waitingFor === "weight_confirmation" || x.phase === "post_deploy");
      await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent });
      const holding = await state(run.id);
      const row = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
      expect(row.deadlineAt?.getTime()).toBe(holding.holdEndsAt);
    }
    s = await waitFor(run.id, (x) => x.phase === "post_deploy" && x.waitingFor === "waiver", 15_000);
    await runCommand(h.engine, rm, { kind: "waive", runId: run.id, reason: "health checks configured in issue 4" });
    s = await waitFor(run.id, (x) => x.status === "succeeded");
    expect(s.outcome).toContain("1.1.0");
    // Released to production: 1.1.0 is now the version in service, the next run's baseline.
    expect((await h.db.service.findUniqueOrThrow({ where: { id: svc.id } })).currentVersion).toBe("1.1.0");

    const steps = await h.db.rolloutStep.findMany({ where: { runId: run.id }, orderBy: { index: "asc" } });
    expect(steps.map((x) => x.status)).toEqual(["done", "done", "done"]);
    expect(steps.every((x) => x.weightConfirmedAt !== null)).toBe(true);
    const phases = await h.db.runPhase.findMany({ where: { runId: run.id } });
    expect(phases.map((p) => p.status)).toEqual(Array(6).fill("done")); // all six procedure phases
    const decisions = await h.db.decision.findMany({ where: { runId: run.id, trigger: "hold-elapsed" } });
    expect(decisions).toHaveLength(3);
    // The team heard about the rollout through a channel that reaches people, and the audit trail says so.
    const told = await h.db.auditEvent.findMany({ where: { runId: run.id, action: "run.notify" } });
    expect(told.map((a) => a.summary)).toContainEqual(expect.stringMatching(/^Notified the team \(memory\): .* is rolling out to production/));
    const record = await h.db.releaseRecord.findFirstOrThrow({ where: { runId: run.id } });
    expect(record.markdown).toContain("1.0.0 → 1.1.0");
    expect(record.markdown).toContain("checks arrive next sprint");
    const gate = await h.db.gate.findFirstOrThrow({ where: { runId: run.id, kind: "approval" }, include: { approvals: true } });
    expect(gate.approvals.map((a) => a.userName)).toEqual([rm2.name]);
  });
});

describe("commands", () => {
  it("two people rolling back at once produce one rollback and two audit entries", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await waitFor(run.id, (x) => x.phase === "rollout");
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });

    const results = await Promise.all([
      runCommand(h.engine, rm, { kind: "rollback", runId: run.id, reason: "errors spiking" }),
      runCommand(h.engine, onCall, { kind: "rollback", runId: run.id, reason: "pager fired" }),
    ]);
    expect(results.filter((r) => r.note === "Already rolling back.")).toHaveLength(1);
    expect(await h.db.rollback.count({ where: { runId: run.id } })).toBe(1);
    const audit = await h.db.auditEvent.findMany({ where: { runId: run.id, action: "run.rollback" } });
    expect(audit.map((a) => a.actorName).sort()).toEqual([rm.name, onCall.name].sort());

    // Manual router: the operator confirms traffic is back on the baseline, then the procedure runs.
    await runCommand(h.engine, onCall, { kind: "confirmWeight", runId: run.id, percent: 0 });
    const s = await waitFor(run.id, (x) => x.status === "rolled_back");
    expect(s.rollback?.steps.map((x) => x.status)).toEqual(["done", "skipped", "skipped", "done", "done"]);
    const rb = await h.db.rollback.findUniqueOrThrow({ where: { runId: run.id }, include: { steps: true } });
    expect(rb.status).toBe("done");
    expect(h.notifier.sent.some((n) => n.runId === run.id && n.message.includes("rolled back"))).toBe(true);
    const record = await h.db.releaseRecord.findFirstOrThrow({ where: { runId: run.id } });
    expect(record.markdown).toContain("Post-mortem draft");
  });

  it("a command in the wrong state is refused with a clear message and changes nothing", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id));
    await waitFor(run.id, (x) => x.phase === "approval");
    const before = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    await expect(runCommand(h.engine, rm, { kind: "promote", runId: run.id, reason: "ship it" })).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: "Only a rollout step can be promoted.",
    });
    const after = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.state).toEqual(before.state);
    expect(after.seq).toBe(before.seq);
  });

  it("on-call cannot approve: refused by the engine too, and audited as refused", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id));
    await waitFor(run.id, (x) => x.phase === "approval");
    await expect(runCommand(h.engine, onCall, { kind: "approve", runId: run.id, reason: "" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await state(run.id)).gate.approvals).toHaveLength(0);
    expect(await h.db.auditEvent.count({ where: { runId: run.id, action: "run.approve.refused" } })).toBe(1);
  });

  it("an unknown run is a NOT_FOUND", async () => {
    await expect(
      runCommand(h.engine, rm, { kind: "rollback", runId: "00000000-0000-4000-8000-000000000000", reason: "nope" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("audit trail", () => {
  it("the database refuses to change or delete audit events", async () => {
    const svc = await makeService(h.db);
    await startRun(h, rm, runInput(svc.id));
    const first = await h.db.auditEvent.findFirstOrThrow();
    await expect(h.db.auditEvent.update({ where: { id: first.id }, data: { summary: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(h.db.auditEvent.delete({ where: { id: first.id } })).rejects.toThrow(/append-only/);
    await expect(h.db.$executeRawUnsafe("TRUNCATE audit_event")).rejects.toThrow(/append-only/);
    expect((await h.db.auditEvent.findFirstOrThrow({ where: { id: first.id } })).summary).toBe(first.summary);
  });
});
