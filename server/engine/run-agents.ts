import type { RunEffect, RunEvent } from "../core/events.ts";
import type { AgentName, RunState } from "../core/types.ts";
import { reportFrom } from "../core/judge.ts";
import { bumpSeq } from "../db/run-repository.ts";
import type { DispatchResult, EngineDeps } from "./deps.ts";
import { expandPlaceholders, releasePlaceholders, type PlaceholderValues } from "../core/placeholders.ts";
import type { CheckResult } from "./ports.ts";

/** Log lines kept per agent task; later lines are dropped with one marker line. */
const MAX_LOG_LINES = 2_000;
const MAX_LINE_CHARS = 2_000;
const DEFAULT_CONCURRENCY = 2;

type Args = {
  deps: EngineDeps;
  dispatch: (runId: string, event: RunEvent) => Promise<DispatchResult>;
  runId: string;
  state: RunState;
  checks: unknown;
  effect: Extract<RunEffect, { kind: "runAgents" }>;
  signal: AbortSignal;
};

function configFor(checks: unknown, agent: AgentName): unknown {
  if (checks && typeof checks === "object" && agent in checks) return (checks as Record<string, unknown>)[agent];
  return undefined;
}

/**
 * Runs `work` over `items` with at most `limit` at a time. After a failure no new item starts,
 * and the first error is rethrown only once every running item has finished: the caller retries
 * the whole effect, and must not do so while an agent it can no longer cancel is still running.
 */
export async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const failures: unknown[] = [];
  const lane = async () => {
    for (let item = queue.shift(); item !== undefined && failures.length === 0; item = queue.shift()) {
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failures.length > 0) throw failures[0];
}

/**
 * Runs a phase's agents in a bounded pool, each with a timeout, streaming progress and log lines
 * to the database and the run's room, then reports each result to the engine. An agent that is
 * already finished (a retried effect after a crash) is not run again.
 */
export async function runAgents({ deps, dispatch, runId, state, checks, effect, signal }: Args): Promise<void> {
  const p = state.params;
  const routed = deps.upstreamsFor?.(p.service, p.environment) ?? null;
  // A flag run ships no build: its checks look at the one in service (the router's baseline),
  // not at whatever the canary side last played.
  const upstreams = routed && p.flag ? { baselineUrl: routed.baselineUrl, canaryUrl: routed.baselineUrl } : routed;
  const placeholders: PlaceholderValues = { ...releasePlaceholders(p), ...(upstreams ?? {}) };
  await inPool(effect.agents, deps.checkConcurrency ?? DEFAULT_CONCURRENCY, async (agent) => {
    if (signal.aborted) return;
    const current = state.agents.find((a) => a.phase === effect.phase && a.agent === agent);
    if (current && current.status !== "pending" && current.status !== "running") return;
    const task = await deps.db.agentTask.findUniqueOrThrow({ where: { runId_phase_agent: { runId, phase: effect.phase, agent } } });
    let lines = await deps.db.agentLog.count({ where: { taskId: task.id } });
    await dispatch(runId, { kind: "agentStarted", phase: effect.phase, agent });
    // Set up only now: everything that can throw before the runner's try/finally has happened.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort);
    const timeout = setTimeout(() => controller.abort(new Error(`timed out after ${deps.checkTimeoutMs} ms`)), deps.checkTimeoutMs);

    const log = async (line: string) => {
      if (lines > MAX_LOG_LINES) return;
      lines++;
      const text = lines > MAX_LOG_LINES ? `… log truncated after ${MAX_LOG_LINES} lines` : line.slice(0, MAX_LINE_CHARS);
      const row = await deps.db.agentLog.create({ data: { taskId: task.id, line: text, at: new Date(deps.clock()) } });
      const seq = await bumpSeq(deps.db, runId);
      deps.publish({ kind: "agentLog", event: { runId, seq, taskId: task.id, agent, phase: effect.phase, line: text, at: row.at.toISOString() } });
    };
    const progress = async (percent: number) => {
      const value = Math.max(0, Math.min(100, Math.round(percent)));
      await deps.db.agentTask.update({ where: { id: task.id }, data: { progress: value } });
      const seq = await bumpSeq(deps.db, runId);
      deps.publish({ kind: "agentProgress", event: { runId, seq, taskId: task.id, agent, phase: effect.phase, progress: value } });
    };

    let result: CheckResult;
    try {
      const config = expandPlaceholders(configFor(checks, agent), placeholders);
      if (!config.ok) {
        const summary = `Configuration uses ${config.missing.map((m) => `{${m}}`).join(", ")}, which has no value here: ${p.environment}'s router does not know the versions' addresses`;
        await log(summary);
        await progress(100);
        result = { findings: [], checks: [{ name: "configuration", outcome: "could_not_run", detail: summary }], summary: "" };
      } else {
        const runner = deps.checkRunnerFor(agent, config.value);
        result = await runner.run({
          runId, phase: effect.phase, agent, service: p.service, environment: p.environment,
          baselineVersion: p.baselineVersion, targetVersion: p.targetVersion, risk: p.risk, compliance: p.compliance,
          config: config.value, signal: controller.signal, progress, log,
        });
      }
    } catch (e) {
      const why = controller.signal.aborted ? String((controller.signal.reason as Error)?.message ?? "cancelled") : String((e as Error)?.message ?? e);
      result = { findings: [], checks: [{ name: "runner", outcome: "could_not_run", detail: `check could not complete: ${why}` }], summary: "" };
      await log(`error: ${why}`).catch(() => {});
    } finally {
      clearTimeout(timeout);
      signal.removeEventListener("abort", onAbort);
    }
    if (signal.aborted) return; // the run moved on (rolled back / aborted); its state says cancelled

    if (result.findings.length > 0) {
      await deps.db.finding.createMany({
        data: result.findings.map((f) => ({ runId, taskId: task.id, severity: f.severity, check: f.check ?? null, message: f.message, evidence: f.evidence, link: f.link ?? null })),
      });
    }
    // The runner reports; the core judges it against the run's policy (core/judge.ts).
    await dispatch(runId, { kind: "agentFinished", phase: effect.phase, agent, report: reportFrom(result) });
  });
}
