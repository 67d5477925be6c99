import type { Db, Tx } from "../db/client.ts";
import { createRunState } from "../core/decide.ts";
import { analysisFor, parseBlockingSeverity, policyFor } from "../core/policy.ts";
import { freezeGate } from "./change-freezes.ts";
import { regionSteps, scaledSteps } from "../core/strategy.ts";
import { flagChange, flagSteps } from "../core/flag-runs.ts";
import { resolveRunFlag } from "./flag-runs.ts";
import { regionPlanFor } from "./regions.ts";
import type { EnvironmentName, RouterKind, RunStatus } from "../core/types.ts";
import type { RunListItem, RunView } from "../contracts/runs-api.ts";

export type { RunListItem, RunView } from "../contracts/runs-api.ts";
import { criteriaFrom } from "./criteria.ts";
import type { Engine } from "../engine/engine.ts";
import { activeRunIn, insertRun, listRunRows, loadRunForPage } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";
import type { SessionUser } from "../auth/session.ts";
import { writeAudit } from "../db/audit-log.ts";
import { parseLimits } from "../db/environment-config-schema.ts";
import { parseAnalysisPolicy } from "./analysis-policy-schema.ts";
import { ZRunId, type TCreateRunInput, type TRunCommandInput, type TRunFilters } from "./schemas.ts";

/** A run in one of these is still rolling out: it holds its environment's traffic. */
export const ACTIVE_STATUSES: RunStatus[] = ["running", "paused", "rolling_back"];

/** Where a run's two versions are about to be released, for whoever must stage them first. */
export type RunTarget = { service: string; environment: string; baselineVersion: string; targetVersion: string };

/**
 * Creates a run with the service's current version as baseline, then starts it. `prepare`
 * (the demo fleet) stages the versions before anything is written; if it fails, no run exists.
 */
export async function createRun(
  deps: {
    db: Db;
    engine: Engine;
    globalHoldScale: number;
    now: number;
    prepare?: (target: RunTarget) => Promise<void>;
    /** the demo's rehearsal makes way for a real release (server/services/demo.ts) */
    yieldRehearsal?: (where: { service: string; environment: string }, requestedBy: string) => Promise<void>;
    /**
     * Runs inside the creation's transaction: `beforeInsert` under the environment's lock, before
     * the busy check (the API answers a retried request there); `afterInsert` with the new run
     * (the API records its idempotency key in the same transaction).
     */
    inCreation?: { beforeInsert?: (tx: Tx) => Promise<void>; afterInsert?: (tx: Tx, run: { id: string; number: number }) => Promise<void> };
  },
  actor: SessionUser,
  input: TCreateRunInput,
): Promise<{ id: string; number: number }> {
  const { db, engine } = deps;
  const env = await db.environment.findFirst({ where: { serviceId: input.serviceId, name: input.environment }, include: { service: true } });
  if (!env) {
    throw new AppError("BAD_REQUEST", {
      message: `no ${input.environment} environment for service ${input.serviceId}`,
      userMessage: `This service has no ${input.environment} environment configured.`,
      fieldErrors: { environment: [`No ${input.environment} environment configured for this service`] },
    });
  }
  // A flag run (issue 15) rolls out a flag's variant: checked before anything else happens.
  const flagRun = input.kind === "flag" ? await resolveRunFlag(db, { environmentId: env.id, service: env.service.slug, environment: input.environment }, input.flag ?? { key: "", variant: "" }) : null;
  const targetVersion = flagRun ? flagRun.targetLabel : (input.targetVersion ?? "");
  const baselineVersion = flagRun ? flagRun.baselineLabel : env.service.currentVersion;
  if (!flagRun && !input.targetVersion) {
    throw new AppError("BAD_REQUEST", { message: "no target version", userMessage: "Enter the version to release.", fieldErrors: { targetVersion: ["Enter the version to release"] } });
  }
  if (!flagRun && env.service.currentVersion === input.targetVersion) {
    throw new AppError("BAD_REQUEST", {
      message: "target equals baseline",
      userMessage: "The target version is already the one in service.",
      fieldErrors: { targetVersion: [`${input.targetVersion} is already the current version`] },
    });
  }
  // One release at a time per service and environment: two runs would fight over the traffic.
  const refuseIfBusy = async (client: Tx) => {
    const busy = await activeRunIn(client, env.id, ACTIVE_STATUSES);
    if (busy && flagRun && busy.kind === "flag" && busy.flagKey === flagRun.flag.key) {
      throw new AppError("CONFLICT", {
        message: `run #${busy.number} already rolls out flag ${busy.flagKey} in ${env.service.slug}/${input.environment}`,
        userMessage: `Run #${busy.number} is already rolling out ${busy.flagKey} in ${env.service.slug}/${input.environment}; finish or roll it back first.`,
      });
    }
    if (busy) {
      throw new AppError("CONFLICT", {
        message: `run #${busy.number} active on ${env.service.slug}/${input.environment}`,
        userMessage: `Run #${busy.number} is still in progress for ${env.service.name} in ${input.environment}; finish or roll it back first.`,
      });
    }
  };
  await deps.yieldRehearsal?.({ service: env.service.slug, environment: input.environment }, actor.name);
  await refuseIfBusy(db);
  // Nothing to stage for a flag run: the flag router moves users, not versions.
  if (!flagRun) await deps.prepare?.({ service: env.service.slug, environment: input.environment, baselineVersion, targetVersion });
  const policy = policyFor(input.risk, input.compliance, input.environment, { blockingSeverity: parseBlockingSeverity(env.blockingSeverity) });
  // An environment with regions goes region by region: the strategy's steps in each, in wave order (issue 15).
  // A flag is per environment, not per region: a flag run moves every region's users at once.
  const regionPlan = flagRun ? null : await regionPlanFor(db, env.id);
  const strategySteps = scaledSteps(input.strategy, { environment: env.holdScale, policy: policy.holdMultiplier, global: deps.globalHoldScale });
  const steps = flagRun ? flagSteps(strategySteps, flagRun.flag) : regionPlan ? regionSteps(strategySteps, regionPlan.regions) : strategySteps;
  // A flag run is always observed: its clients report metrics tagged with the variant (API, OTLP).
  const observed = flagRun !== null || env.router !== "manual" || env.metricSource !== null || (regionPlan?.regions.some((r) => r.router !== "manual") ?? false);
  const state = createRunState(
    {
      service: env.service.slug,
      environment: input.environment as EnvironmentName,
      baselineVersion,
      targetVersion,
      strategy: input.strategy,
      risk: input.risk,
      compliance: input.compliance,
      // A flag run's traffic is the flag's share of users, whatever router the environment has.
      router: flagRun ? "flag" : (env.router as RouterKind),
      createdBy: actor.id,
      // Automated routers observe both versions, and a metric source (Prometheus) reports them: then
      // the canary is judged by the analysis. A manual router with no metric source has nothing to judge by.
      analysis: !observed ? null : analysisFor(input.environment, parseLimits(env.limits), parseAnalysisPolicy(env.analysisPolicy)),
      ...(flagRun ? { flag: { ...flagRun.flag, serviceVersion: env.service.currentVersion } } : {}),
    },
    policy,
    steps,
    deps.now,
  );
  if (regionPlan) state.regionPlan = regionPlan;
  const run = await db.$transaction(async (tx) => {
    // Again under the environment's row lock: two creations that both passed the check above
    // (`prepare` can take seconds) must not both start a release here.
    await tx.$queryRaw`SELECT id FROM "environment" WHERE id = ${env.id} FOR UPDATE`;
    await deps.inCreation?.beforeInsert?.(tx);
    await refuseIfBusy(tx);
    const { commitSha, commitAt, releaseNotes, links, freezeOverrideReason, ...params } = input;
    const what = flagRun ? `${env.service.slug} ${flagChange(flagRun.flag)}` : `${env.service.slug} ${baselineVersion} → ${targetVersion}`;
    // A change freeze refuses the run, unless an admin overrides it: then the run's policy says so.
    const changeFreeze = await freezeGate(tx, { environmentId: env.id, environment: input.environment, serviceName: env.service.name }, actor, freezeOverrideReason, deps.now);
    if (changeFreeze) state.policy = { ...state.policy, changeFreeze };
    const created = await insertRun(tx, { serviceId: env.serviceId, environmentId: env.id, createdById: actor.id }, state, { commitSha, commitAt, releaseNotes, links });
    await writeAudit(tx, {
      actor,
      action: "run.create",
      runId: created.id,
      summary: `Created run #${created.number}: ${what} in ${input.environment} (${input.strategy}, risk ${input.risk}, compliance ${input.compliance})${commitSha ? ` at commit ${commitSha.slice(0, 12)}` : ""}${changeFreeze ? `, overriding the change freeze “${changeFreeze.freezeReason}”: ${changeFreeze.overrideReason}` : ""}`,
      // The notes themselves stay on the run; the audit says that there were some.
      detail: { ...params, ...(changeFreeze ? { changeFreeze } : {}), ...(commitSha ? { commitSha } : {}), ...(commitAt ? { commitAt: commitAt.toISOString() } : {}), ...(releaseNotes ? { releaseNotesChars: releaseNotes.length } : {}), ...(links?.length ? { links } : {}) },
    });
    await deps.inCreation?.afterInsert?.(tx, created);
    return created;
  });
  await engine.dispatch(run.id, { kind: "start" });
  return run;
}

/** Applies a person's command to a run; refusals come back as a CONFLICT with the reason. */
export async function runCommand(engine: Engine, actor: SessionUser, input: TRunCommandInput): Promise<{ note: string | null }> {
  const actorRef = { id: actor.id, name: actor.name, role: actor.role };
  const event =
    input.kind === "resume"
      ? { kind: input.kind, actor: actorRef }
      : input.kind === "confirmWeight"
        ? { kind: input.kind, actor: actorRef, percent: input.percent }
        : { kind: input.kind, actor: actorRef, reason: input.reason };
  const result = await engine.dispatch(input.runId, event);
  if (!result.ok) {
    throw new AppError(result.code, { message: `${input.kind} on ${input.runId}: ${result.message}`, userMessage: result.message });
  }
  return { note: result.note };
}


export async function listRuns(db: Db, filters: TRunFilters): Promise<RunListItem[]> {
  const statuses = filters.status === "active" ? ACTIVE_STATUSES : filters.status ? [filters.status] : undefined;
  const runs = await listRunRows(db, { service: filters.service, environment: filters.environment, statuses });
  return runs.map((r) => {
    const s = r.state;
    return {
      id: r.id,
      number: r.number,
      service: r.service.slug,
      serviceName: r.service.name,
      environment: r.environmentName,
      baselineVersion: r.baselineVersion,
      targetVersion: r.targetVersion,
      flag: s.params.flag ?? null,
      strategy: r.strategy,
      risk: r.risk,
      status: r.status,
      phase: r.phase,
      waitingFor: s.waitingFor,
      canaryPercent: s.canaryPercent,
      createdBy: r.createdBy.name,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  });
}

const LOG_TAIL = 200;

export async function getRunView(db: Db, id: string, now: number): Promise<RunView | null> {
  // A malformed id names no run (and the database would refuse it as a uuid): not found.
  if (!ZRunId.safeParse(id).success) return null;
  const run = await loadRunForPage(db, id);
  if (!run) return null;
  const state = run.state;
  const [audit, records, logs] = await Promise.all([
    db.auditEvent.findMany({ where: { runId: id }, orderBy: { id: "asc" } }),
    db.releaseRecord.findMany({ where: { runId: id }, select: { version: true, createdAt: true }, orderBy: { version: "asc" } }),
    Promise.all(
      run.agentTasks.map((t) => db.agentLog.findMany({ where: { taskId: t.id }, orderBy: { id: "desc" }, take: LOG_TAIL })),
    ),
  ]);
  // From the rows read above rather than a second read of the same findings, audit and records.
  const criteria = criteriaFrom(
    { state, runbook: run.service.runbook },
    {
      findings: run.agentTasks.flatMap((t) => t.findings.map((f) => ({ agent: t.agent, check: f.check, severity: f.severity, message: f.message }))),
      // Only notifications that reached people are audited (run.notify); the server log alone is not "the team".
      notifications: audit.filter((a) => a.action === "run.notify").map((a) => a.summary),
      recordVersions: records.length,
    },
  );
  return {
    id: run.id,
    number: run.number,
    seq: run.seq,
    service: { slug: run.service.slug, name: run.service.name },
    environment: run.environmentName,
    createdBy: run.createdBy,
    createdAt: run.createdAt.toISOString(),
    state,
    serverNow: now,
    tasks: run.agentTasks.map((t, i) => ({
      id: t.id,
      phase: t.phase,
      agent: t.agent,
      status: t.status,
      progress: t.progress,
      summary: t.summary,
      logs: (logs[i] ?? []).reverse().map((l) => ({ id: String(l.id), at: l.at.toISOString(), line: l.line })),
      findings: t.findings.map((f) => ({ id: f.id, severity: f.severity, check: f.check, message: f.message, evidence: f.evidence, link: f.link })),
    })),
    criteria,
    decisions: run.decisions.map((d) => ({
      id: d.id,
      at: d.createdAt.toISOString(),
      stepIndex: d.stepIndex,
      trigger: d.trigger,
      verdict: d.verdict,
      reason: d.reason,
      evidence: d.evidence as Record<string, unknown>,
    })),
    audit: audit.map((a) => ({ id: String(a.id), at: a.at.toISOString(), actorName: a.actorName, actorRole: a.actorRole, action: a.action, summary: a.summary })),
    rollback: run.rollback
      ? {
          reason: run.rollback.reason,
          requestedBy: run.rollback.requestedBy,
          status: run.rollback.status,
          startedAt: run.rollback.startedAt.toISOString(),
          finishedAt: run.rollback.finishedAt?.toISOString() ?? null,
        }
      : null,
    records: records.map((r) => ({ version: r.version, createdAt: r.createdAt.toISOString() })),
  };
}

