import { notConfiguredRunner } from "../not-configured.ts";
import type { CheckContext, CheckFinding, CheckResult, CheckRunner } from "../../../engine/ports.ts";
import { z } from "zod";
import { checkAlertRules } from "./alert-rules.ts";
import { checkBackup } from "./backup.ts";
import { ZDevopsConfig, isEmptyConfig, type TDevopsConfig } from "./config.ts";
import { checkFeatureFlags } from "./feature-flags.ts";
import { checkManifests } from "./manifests.ts";
import { checkRollbackTarget } from "./rollback-target.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "./support.ts";

export { ZDevopsConfig, type TDevopsConfig } from "./config.ts";

/** Options for tests and the demo; production uses the defaults. */
export type DevopsRunnerOptions = {
  /** clock in epoch milliseconds, for backup ages; default Date.now */
  now?: () => number;
};

type SubCheck = {
  /** the sub-check's name in log lines and summaries */
  name: string;
  /** absent: not configured for this service, reported as an info finding */
  run: ((sub: SubCheckContext) => Promise<SubCheckOutcome>) | null;
};

/**
 * The devops-engineer agent: Kubernetes manifests, backup freshness, alert rules, rollback target
 * and feature flags, one after the other with progress and log lines. `failed` on any high or
 * critical finding; `error` when a configured sub-check could not run or the run was cancelled;
 * `not_configured` with no configuration.
 */
export function createDevopsRunner(options: DevopsRunnerOptions = {}): CheckRunner {
  const now = options.now ?? Date.now;
  return { run: (ctx) => runDevopsChecks(ctx, now) };
}

/** The devops-engineer agent with the real clock. */
export const devopsRunner: CheckRunner = createDevopsRunner();

async function runDevopsChecks(ctx: CheckContext, now: () => number): Promise<CheckResult> {
  if (isEmptyConfig(ctx.config)) return notConfiguredRunner.run(ctx);
  const parsed = ZDevopsConfig.safeParse(ctx.config);
  if (!parsed.success) {
    const why = z.prettifyError(parsed.error);
    await ctx.log(`invalid devops-engineer configuration:\n${why}`);
    await ctx.progress(100);
    return { status: "error", summary: `Invalid devops-engineer configuration: ${why.replace(/\s*\n\s*/g, "; ")}`, findings: [] };
  }
  const config = parsed.data;
  const environment = config.environment ?? ctx.environment;
  const sub: SubCheckContext = { signal: ctx.signal, log: ctx.log, now };

  const findings: CheckFinding[] = [];
  const checked: string[] = [];
  const problems: string[] = [];
  const steps = subChecks(config, environment);
  for (const [i, step] of steps.entries()) {
    if (ctx.signal.aborted) return cancelled(ctx, findings);
    if (step.run === null) {
      await ctx.log(`${step.name}: not configured, skipped`);
      findings.push({ severity: "info", message: `${step.name} not checked: not configured`, evidence: `no ${step.name} settings in the devops-engineer configuration for ${environment}` });
    } else {
      await ctx.log(`${step.name}: checking…`);
      try {
        const outcome = await step.run(sub);
        findings.push(...outcome.findings);
        checked.push(outcome.checked);
        await ctx.log(`${step.name}: ${outcome.findings.length === 0 ? "ok" : `${outcome.findings.length} finding(s)`}`);
      } catch (e) {
        if (ctx.signal.aborted) return cancelled(ctx, findings);
        const why = e instanceof CannotRunError ? e.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
        problems.push(`${step.name}: ${why}`);
        await ctx.log(`${step.name}: could not run: ${why}`);
      }
    }
    await ctx.progress(((i + 1) / steps.length) * 100);
  }
  return result(findings, checked, problems);
}

function subChecks(config: TDevopsConfig, environment: CheckContext["environment"]): SubCheck[] {
  const { backup, alertRulePaths, rollbackTarget, featureFlags } = config;
  return [
    { name: "Kubernetes manifests", run: (sub) => checkManifests(config.manifestPaths, environment, sub) },
    { name: "backup freshness", run: backup === undefined ? null : (sub) => checkBackup(backup, sub) },
    { name: "alert rules", run: alertRulePaths === undefined ? null : (sub) => checkAlertRules(alertRulePaths, sub) },
    { name: "rollback target", run: rollbackTarget === undefined ? null : (sub) => checkRollbackTarget(rollbackTarget, sub) },
    { name: "feature flags", run: featureFlags === undefined ? null : (sub) => checkFeatureFlags(featureFlags, sub) },
  ];
}

function result(findings: CheckFinding[], checked: string[], problems: string[]): CheckResult {
  const blocking = findings.filter((f) => f.severity === "critical" || f.severity === "high").length;
  if (problems.length > 0) {
    // The log has the parser's full message with its code excerpt; the summary is one line.
    const why = problems.map((p) => p.replace(/\s*\n\s*/g, " ").trim()).join("; ");
    return { status: "error", summary: `Could not run: ${why}${findings.length > 0 ? ` (${findings.length} finding(s) from the other checks)` : ""}`, findings };
  }
  const scope = `checked ${checked.join(", ")}`;
  if (blocking > 0) return { status: "failed", summary: `${blocking} high or critical finding(s) of ${findings.length}; ${scope}`, findings };
  const lower = findings.filter((f) => f.severity !== "info").length;
  return { status: "passed", summary: `No high or critical findings${lower > 0 ? ` (${lower} medium or low)` : ""}; ${scope}`, findings };
}

async function cancelled(ctx: CheckContext, findings: CheckFinding[]): Promise<CheckResult> {
  const reason: unknown = ctx.signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? "aborted");
  await ctx.log(`cancelled: ${why}`).catch(() => {});
  return { status: "error", summary: `Cancelled before the checks finished: ${why}`, findings };
}
