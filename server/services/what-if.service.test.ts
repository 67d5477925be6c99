import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { actionResult } from "../actions/result.ts";
import { DEFAULT_ANALYSIS_POLICY, policyOf, type AnalysisPolicy } from "../core/analysis/analysis-policy.ts";
import { analysisFor, policyFor } from "../core/policy.ts";
import { createRunState } from "../core/run-state.ts";
import type { RolloutStep, RunStatus } from "../core/types.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { insertRun, loadRunForReplay } from "../db/run-repository.ts";
import { newSketch, serializeSketch } from "../metrics/sketch.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { ZAnalysisPolicyInput } from "./analysis-policy-schema.ts";
import { updateAnalysisPolicy } from "./analysis-policy.ts";
import { listServices } from "./services-and-environments.ts";
import { PREVIEW_RUNS, previewEnvironmentPolicy, replayFinishedRun } from "./what-if.ts";

const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
});
afterAll(async () => {
  await disconnectDb();
});

const STEPS: RolloutStep[] = [
  { kind: "setWeight", label: "5% canary", percent: 5, holdMs: 10 * 60_000 },
  { kind: "setWeight", label: "50% canary", percent: 50, holdMs: 10 * 60_000 },
  { kind: "setWeight", label: "100%", percent: 100, holdMs: 0 },
];

/** Latencies 50–149 ms, the same spread on both sides: no latency trigger has anything to say. */
function sketchOf(requests: number): Uint8Array {
  const s = newSketch();
  for (let i = 0; i < requests; i++) s.accept(50 + ((i * 37) % 100));
  return serializeSketch(s);
}

/**
 * A finished run on a built-in router, stored as the engine leaves it: its state, the decisions
 * that started its first step and ended it, and 10 s metric windows for both sides (10 canary
 * requests/s, `errorRate` of them failing from `faultFromMs` on).
 */
async function finishedRun(env: { id: string; serviceId: string }, o: { t0: number; minutes: number; errorRate: number; faultFromMs: number; status: RunStatus }) {
  const state = createRunState(
    {
      service: "svc",
      environment: "production",
      baselineVersion: "1.0.0",
      targetVersion: `1.1.${o.t0 % 1000}`,
      strategy: "canary",
      risk: "medium",
      compliance: "none",
      router: "builtin",
      createdBy: admin.id,
      analysis: analysisFor("production"),
    },
    policyFor("medium", "none", "production"),
    STEPS,
    o.t0,
  );
  const end = o.t0 + o.minutes * 60_000;
  const finished = { ...state, status: o.status, phase: "rollout" as const, stepIndex: 0, finishedAt: end, outcome: "Rolled back by hand" };
  const run = await db.$transaction((tx) => insertRun(tx, { serviceId: env.serviceId, environmentId: env.id, createdById: admin.id }, finished));
  await db.decision.createMany({
    data: [
      { runId: run.id, stepIndex: 0, trigger: "router", verdict: "hold", reason: "5% canary: weight 5% applied and verified; holding 600 s", evidence: { percent: 5, holdMs: 600_000 }, createdAt: new Date(o.t0) },
      { runId: run.id, stepIndex: 0, trigger: "operator", verdict: "rollback", reason: "Rollback by on call: looks wrong", evidence: {}, createdAt: new Date(end) },
    ],
  });
  const rows = [];
  for (let start = o.t0; start < end; start += 10_000) {
    const errors = start + 10_000 - o.t0 > o.faultFromMs ? Math.round(100 * o.errorRate) : 0;
    for (const [side, requests, errs] of [["baseline", 1_900, 0], ["canary", 100, errors]] as const) {
      rows.push({ runId: run.id, side, windowStart: new Date(start), windowMs: 10_000, requests, errors: errs, latencySketch: Buffer.from(sketchOf(requests)), attempts: 0, conversions: 0, cpuPercent: 20, memoryPercent: 30 });
    }
  }
  await db.metricWindow.createMany({ data: rows });
  return run;
}

const policy = (over: Partial<AnalysisPolicy>): AnalysisPolicy => ({ ...DEFAULT_ANALYSIS_POLICY, ...over });

describe("what-if replay of a finished run", () => {
  it("rolls back a canary with 5% errors from the 2nd minute under the default policy, not under a 10% threshold", async () => {
    const service = await makeService(db, { router: "builtin" });
    const env = service.environments.find((e) => e.name === "production");
    if (!env) throw new Error("no production environment");
    const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
    const run = await finishedRun(env, { t0, minutes: 5, errorRate: 0.05, faultFromMs: 60_000, status: "rolled_back" });

    const strict = await replayFinishedRun(db, run.id, {});
    expect(strict.replay.verdict).toBe("rollback");
    const first = strict.replay.steps[0];
    expect(first?.outcome).toMatchObject({ kind: "rollback", trigger: "error-rate" });
    if (first?.outcome.kind !== "rollback") return;
    expect(first.outcome.afterMs).toBeGreaterThan(60_000);
    expect(first.outcome.afterMs).toBeLessThan(180_000);
    expect(first.actually).toBe("rolled back after 5 min (operator)");
    expect(strict.actually).toBe("Rolled back at 5% canary: rolled back after 5 min (operator)");
    expect(strict.differs).toBe(false);
    expect(strict.replay.notes[0]).toMatch(/10 s windows.*every 250 ms/);

    const loose = await replayFinishedRun(db, run.id, { errorRollbackAbove: 0.1 });
    expect(loose.replayedPolicy.errorRollbackAbove).toBe(0.1);
    expect(loose.replay.verdict).not.toBe("rollback");
    expect(loose.replay.steps[0]?.firstRollback).toBeNull();
    expect(loose.replay.steps[0]?.wouldHave).toBe("hold not over when the stored data ends");
    expect(loose.differs).toBe(true);
  });

  it("refuses a run that does not exist", async () => {
    await expect(replayFinishedRun(db, "00000000-0000-4000-8000-000000000000", {})).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("previewing an environment's analysis policy", () => {
  it("replays the last 20 finished runs with windows, newest first, one row each", async () => {
    const service = await makeService(db, { router: "builtin" });
    const env = service.environments.find((e) => e.name === "production");
    if (!env) throw new Error("no production environment");
    const base = Date.UTC(2026, 10, 1, 10, 0, 0);
    const created = [];
    for (let i = 0; i < PREVIEW_RUNS + 2; i++) {
      created.push(await finishedRun(env, { t0: base + i * 3_600_000, minutes: 1, errorRate: i % 2 === 0 ? 0.05 : 0, faultFromMs: 0, status: "rolled_back" }));
    }
    const rows = await previewEnvironmentPolicy(db, env.id, policy({ errorRollbackAbove: 0.1 }));
    expect(rows).toHaveLength(PREVIEW_RUNS);
    expect(rows.map((r) => r.number)).toEqual(created.slice(-PREVIEW_RUNS).map((r) => r.number).reverse());
    for (const row of rows) {
      expect(row.actually).toMatch(/^Rolled back at 5% canary/);
      expect(row.replay.summary).not.toMatch(/^Would have rolled back/);
    }
    // Nothing was saved by previewing.
    const listed = (await listServices(db)).find((s) => s.id === service.id)?.environments.find((e) => e.id === env.id);
    expect(listed?.analysisPolicy).toBeNull();
  });
});

describe("saving an environment's analysis policy", () => {
  const fields = { confidence: "0.999", errorRollbackPct: "2", errorHoldPct: "0.5", p95Factor: "1.8", p95HoldFactor: "", p95HoldSharePct: "", p99Factor: "2" };

  it("refuses bad input with field messages and saves nothing", async () => {
    const service = await makeService(db, { router: "builtin" });
    const env = service.environments[0];
    if (!env) throw new Error("no environment");
    const bad = { environmentId: env.id, policy: { ...fields, confidence: "0.9", errorRollbackPct: "80", errorHoldPct: "3", p95HoldFactor: "1" } };
    const result = await actionResult(() => updateAnalysisPolicy(db, admin, ZAnalysisPolicyInput.parse(bad)));
    expect(result).toMatchObject({ ok: false, status: 400 });
    if (result.ok) return;
    expect(result.fieldErrors).toMatchObject({
      "policy.confidence": ["Choose 95%, 99% or 99.9%"],
      "policy.errorRollbackPct": ["The error threshold must be between 0.1% and 50%"],
    });
    const after = await db.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(after.analysisPolicy).toBeNull();
    const holds = ZAnalysisPolicyInput.safeParse({ environmentId: env.id, policy: { ...fields, errorHoldPct: "3", p95HoldFactor: "1" } });
    expect(holds.error?.issues.map((i) => i.message)).toEqual([
      "The hold level must be below the error threshold (or empty for no hold)",
      "Give both the p95 hold factor and share, or leave both empty for no hold",
    ]);
  });

  it("saves a good policy, lists it, gives it to new runs' config, and audits the change", async () => {
    const service = await makeService(db, { router: "builtin" });
    const env = service.environments.find((e) => e.name === "staging");
    if (!env) throw new Error("no staging environment");
    await updateAnalysisPolicy(db, admin, ZAnalysisPolicyInput.parse({ environmentId: env.id, policy: fields }));
    const listed = (await listServices(db)).find((s) => s.id === service.id)?.environments.find((e) => e.id === env.id);
    expect(listed?.analysisPolicy).toEqual({ confidence: 0.999, errorRollbackAbove: 0.02, errorHoldAbove: 0.005, p95Factor: 1.8, p95Hold: null, p99Factor: 2 });
    const audit = await db.auditEvent.findFirst({ where: { action: "environment.analysis_policy", actorId: admin.id }, orderBy: { id: "desc" } });
    expect(audit?.summary).toBe(
      `Set ${service.slug}/staging analysis policy: 99% confidence; errors roll back above 1%, hold above 0.1%; p95 1.5×, p95 hold 1× for 7.5%; p99 1.5× → 99.9% confidence; errors roll back above 2%, hold above 0.5%; p95 1.8×, no p95 hold; p99 2×`,
    );
    expect(audit?.detail).toMatchObject({ environmentId: env.id });
  });

  it("gives new runs the saved policy's config; a run created before keeps the config it started with", async () => {
    const h = makeEngine(inject("databaseUrl"));
    const service = await makeService(db, { router: "builtin" });
    const production = service.environments.find((e) => e.name === "production");
    const staging = service.environments.find((e) => e.name === "staging");
    if (!production || !staging) throw new Error("environments missing");
    const before = await startRun(h, admin, runInput(service.id, { environment: "production" }));
    await updateAnalysisPolicy(db, admin, ZAnalysisPolicyInput.parse({ environmentId: production.id, policy: fields }));
    await updateAnalysisPolicy(db, admin, ZAnalysisPolicyInput.parse({ environmentId: staging.id, policy: fields }));
    const after = await startRun(h, admin, runInput(service.id, { environment: "staging" }));
    const configOf = async (id: string) => (await loadRunForReplay(db, id))?.state.params.analysis;
    // (The stored JSON rounds the last digit of a few derived fractions, so the triggers are compared by their settings.)
    const settings = (c: Awaited<ReturnType<typeof configOf>>) => ({ alpha: c?.alpha, policy: c ? policyOf(c) : null, error: c?.triggers[0] });
    expect(settings(await configOf(before.id))).toEqual(settings(analysisFor("production")));
    expect(settings(await configOf(after.id))).toEqual({
      alpha: 0.001,
      policy: { confidence: 0.999, errorRollbackAbove: 0.02, errorHoldAbove: 0.005, p95Factor: 1.8, p95Hold: null, p99Factor: 2 },
      error: { kind: "errorRate", rollbackAbove: 0.02, holdAbove: 0.005, detectAtLeast: 0.1 },
    });
  });
});
