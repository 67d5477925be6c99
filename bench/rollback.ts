/**
 * Time to roll back: fault onset → canary weight 0 on the real built-in router, with the demo
 * fleet (two sample-service processes, 200 req/s of generated users), the durable Engine, the
 * AnalysisLoop and PostgreSQL, for a production canary at its first step (5%).
 */
import { performance } from "node:perf_hooks";
import { startDemoFleet, type DemoFleet } from "../demo/fleet.ts";
import type { TFaultInput } from "../demo/fault.ts";
import type { SessionUser } from "../server/auth/session.ts";
import type { RunState } from "../server/core/types.ts";
import type { RequestObservation } from "../server/metrics/types.ts";
import { createRun, runCommand } from "../server/services/runs.ts";
import { makeService, makeUser } from "../server/testing/harness.ts";
import type { ControlRoom } from "./control-room.ts";
import { onCleanup, quantileOf, sleep } from "./lib.ts";

export type ScenarioName = "gross" | "errors_5pct" | "latency_p95_plus_50pct";

export type ScenarioResult = {
  name: ScenarioName;
  /** fault onset → router at 0%, seconds; null when not rolled back within the cap */
  seconds: number | null;
  /** fault onset → the engine's rollback decision (persisted), seconds */
  decisionSeconds: number | null;
  fault: TFaultInput;
  trigger: string | null;
  reason: string | null;
  note: string;
};

export type RollbackOptions = {
  rps: number;
  /** seconds of baseline (and canary) data at 5% before the fault */
  warmSeconds: number;
  capSeconds: number;
  pollMs: number;
};

type Poll<T> = () => Promise<T | null | undefined | false>;
async function waitFor<T>(what: string, check: Poll<T>, timeoutMs: number, everyMs = 50): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Runs the three scenarios, each on a fresh run of the same service (the same fleet: a finished
 * run's weight is 0 and its cookies are cleared, so the next run's 5% starts clean).
 */
export async function benchRollback(room: ControlRoom, o: RollbackOptions, log: (line: string) => void, onResult: (r: ScenarioResult) => void = () => undefined): Promise<{ results: ScenarioResult[]; notes: string[] }> {
  const notes: string[] = [];
  const { db, engine, aggregator, registry } = room;

  // Every baseline latency the router observes for the current run, for the latency scenario.
  let currentRun: string | null = null;
  const baselineLatencies: number[] = [];
  const sink = {
    observeRequest(obs: RequestObservation) {
      aggregator.observeRequest(obs);
      if (obs.runId === currentRun && obs.side === "baseline" && obs.status < 500) {
        baselineLatencies.push(obs.latencyMs);
        if (baselineLatencies.length > 20_000) baselineLatencies.splice(0, 10_000);
      }
    },
  };

  const service = await makeService(db, { router: "builtin" });
  const admin: SessionUser = await makeUser(db, "admin");
  const fleet: DemoFleet = await startDemoFleet({ baselineVersion: service.currentVersion, canaryVersion: "1.1.0", rps: o.rps, sink, log: (l) => log(`[demo] ${l}`) });
  const stopFleet = onCleanup("demo fleet", () => fleet.stop());
  registry.register(service.slug, "production", "builtin", fleet.router);
  log(`rollback: demo fleet up (${fleet.url}, ${o.rps} req/s), service ${service.slug} on the built-in router`);

  const runState = async (runId: string) => {
    const row = await db.releaseRun.findUniqueOrThrow({ where: { id: runId }, select: { state: true } });
    return row.state as unknown as RunState;
  };

  const scenarios: { name: ScenarioName; fault: (ctx: { baselineP95: number; baselineP90: number }) => TFaultInput; note: (ctx: { baselineP95: number; baselineP90: number }) => string }[] = [
    { name: "gross", fault: () => ({ errorRate: 0.5 }), note: () => "canary answers 50% of requests with 500" },
    { name: "errors_5pct", fault: () => ({ errorRate: 0.05 }), note: () => "canary answers 5% of requests with 500" },
    {
      name: "latency_p95_plus_50pct",
      // Every canary request delayed by d = 1.5 × baseline p95 − baseline p90, so that 10% of
      // canary requests are slower than 1.5 × baseline p95: canary p95 ≈ 1.6 × baseline p95.
      // Exactly 1.5× would put 5% above the line, which is the trigger's null hypothesis itself
      // (p0 = 5%): by design never a rollback. 10% = 2·p0 is the p95 trigger's own
      // `detectAtLeast`, the smallest slowdown a production step is sized to catch.
      fault: ({ baselineP95, baselineP90 }) => ({ latencyMs: Math.max(1, Math.round((1.5 * baselineP95 - baselineP90) * 10) / 10), latencyMode: "all" }),
      note: ({ baselineP95, baselineP90 }) =>
        `every canary request +${Math.max(1, 1.5 * baselineP95 - baselineP90).toFixed(1)} ms ("all" mode; baseline p90 ${baselineP90.toFixed(1)}, p95 ${baselineP95.toFixed(1)} ms through the router): 10% of canary requests above 1.5 × baseline p95`,
    },
  ];

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const run = await createRun({ db, engine, globalHoldScale: 1, now: Date.now() }, admin, {
      serviceId: service.id,
      environment: "production",
      targetVersion: "1.1.0",
      strategy: "canary",
      risk: "medium",
      compliance: "none",
    });
    currentRun = run.id;
    baselineLatencies.length = 0;
    // Production: no checks are configured, which blocks (waivable); one approver is required.
    await waitFor("the approval gate", async () => (await runState(run.id)).phase === "approval", 30_000);
    if ((await runState(run.id)).waitingFor === "waiver") {
      await runCommand(engine, admin, { kind: "waive", runId: run.id, reason: "benchmark: no checks configured for this service" });
    }
    await runCommand(engine, admin, { kind: "approve", runId: run.id, reason: "benchmark" });
    const holding = await waitFor(
      "step 1 (5%) holding",
      async () => {
        const s = await runState(run.id);
        return s.phase === "rollout" && s.stepIndex === 0 && s.stepPhase === "holding" ? s : null;
      },
      30_000,
    );
    const weight = fleet.router.state().percent;
    await waitFor("the analysis loop watching the run", async () => aggregator.watching(run.id), 10_000);
    await sleep(o.warmSeconds * 1_000);
    const before = aggregator.totals(run.id);
    const baselineP95 = before?.baseline.latencyMs.p95 ?? null;
    const baselineP90 = quantileOf(baselineLatencies, 0.9);
    if (!before || baselineP95 === null || baselineP90 === null) throw new Error(`no baseline data after ${o.warmSeconds} s`);
    const ctx = { baselineP95, baselineP90 };
    const fault = scenario.fault(ctx);
    log(
      `rollback ${scenario.name}: run ${run.id.slice(0, 8)} holding at ${holding.canaryPercent}% (router ${weight}%), ` +
        `${before.baseline.requests} baseline / ${before.canary.requests} canary requests so far; fault ${JSON.stringify(fault)}`,
    );

    const t0 = performance.now();
    const wall0 = Date.now();
    await fleet.setFault("canary", fault);
    let seconds: number | null = null;
    const capEnd = t0 + o.capSeconds * 1_000;
    while (performance.now() < capEnd) {
      if (fleet.router.state().percent === 0) {
        seconds = (performance.now() - t0) / 1_000;
        break;
      }
      await sleep(o.pollMs);
    }
    const after = aggregator.totals(run.id);
    await fleet.clearFault("canary");
    let state = await runState(run.id);
    let note = scenario.note(ctx);
    if (seconds === null) {
      note += `; not rolled back within ${o.capSeconds} s (${after?.canary.requests ?? 0} canary requests, ${after?.canary.errors ?? 0} errors, ${after?.canarySlowerThan["latency-p95"]?.count ?? 0} slower than 1.5 × p95)`;
      await runCommand(engine, admin, { kind: "rollback", runId: run.id, reason: "benchmark: scenario cap reached" }).catch(() => undefined);
    }
    const finished = await waitFor("the run to finish its rollback", async () => {
      const s = await runState(run.id);
      return s.status !== "running" && s.status !== "rolling_back" && s.status !== "paused" ? s : null;
    }, 30_000).catch(() => null);
    state = finished ?? (await runState(run.id));
    const decisionSeconds = state.rollback && seconds !== null ? (state.rollback.startedAt - wall0) / 1_000 : null;
    if (after && scenario.name === "latency_p95_plus_50pct" && after.canary.latencyMs.p95 !== null && after.baseline.latencyMs.p95 !== null) {
      note += `; at rollback canary p95 ${after.canary.latencyMs.p95.toFixed(1)} ms = ${(after.canary.latencyMs.p95 / after.baseline.latencyMs.p95).toFixed(2)} × baseline p95 ${after.baseline.latencyMs.p95.toFixed(1)} ms`;
    }
    if (after) note += `; canary served ${after.canary.requests - before.canary.requests} requests after the fault`;
    const result: ScenarioResult = {
      name: scenario.name,
      seconds,
      decisionSeconds,
      fault,
      trigger: state.rollback?.trigger ?? null,
      reason: state.rollback?.reason ?? null,
      note,
    };
    log(
      `rollback ${scenario.name}: ${seconds === null ? "NOT rolled back" : `weight 0 after ${seconds.toFixed(2)} s (decision at ${decisionSeconds?.toFixed(2)} s)`}, ` +
        `run ${state.status}, trigger ${result.trigger ?? "-"}: ${result.reason ?? "-"}`,
    );
    results.push(result);
    onResult(result);
    currentRun = null;
  }
  const stats = fleet.generator.stats();
  notes.push(`rollback: generator sent ${stats.sent}, ${stats.completed} answered, ${stats.failed} failed, ${stats.skipped} skipped; by side ${JSON.stringify(stats.bySide)}`);
  registry.unregister(service.slug, "production");
  await stopFleet();
  return { results, notes };
}
