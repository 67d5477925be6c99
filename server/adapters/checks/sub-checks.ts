import { z } from "zod";
import { notCheckedMessage } from "../../core/success-criteria.ts";
import type { SubCheckRun } from "../../core/types.ts";
import type { CheckContext, CheckFinding, CheckResult } from "../../engine/ports.ts";
import { notConfiguredRunner } from "./not-configured.ts";
import { CannotRunError, isEmptyConfig, type SubCheckContext, type SubCheckOutcome } from "./check-io.ts";
import { errorCode } from "../report-text.ts";

/** One named part of an agent's checks. `run: null` = not configured for this service (an info finding). */
export type SubCheck = {
  /** the sub-check's name in log lines and summaries */
  name: string;
  run: ((sub: SubCheckContext) => Promise<SubCheckOutcome>) | null;
};

/** What an agent built on `runSubChecks` declares: its name, its configuration schema and its sub-checks. */
export type SubCheckAgent<C> = {
  /** e.g. "security-audit-specialist", for messages */
  label: string;
  schema: z.ZodType<C, unknown>;
  subChecks: (config: C, ctx: CheckContext) => SubCheck[];
};

/**
 * Runs an agent's sub-checks one after the other with progress and log lines. Every configured
 * sub-check runs even when an earlier one finds problems, so the release manager sees everything
 * at once. It reports, per sub-check, whether it ran, was not configured or could not run
 * (CannotRunError, anything unexpected, an invalid configuration, a cancelled run); the core
 * judges the verdict (core/judge.ts). No configuration at all reports no sub-checks.
 */
export async function runSubChecks<C>(ctx: CheckContext, agent: SubCheckAgent<C>, now: () => number = Date.now): Promise<CheckResult> {
  if (isEmptyConfig(ctx.config)) return notConfiguredRunner.run(ctx);
  const parsed = agent.schema.safeParse(ctx.config);
  if (!parsed.success) {
    const why = z.prettifyError(parsed.error);
    await ctx.log(`invalid ${agent.label} configuration:\n${why}`);
    await ctx.progress(100);
    return invalidConfiguration(agent.label, why);
  }
  const steps = agent.subChecks(parsed.data, ctx);
  if (steps.every((s) => s.run === null)) return notConfiguredRunner.run(ctx);

  const findings: CheckFinding[] = [];
  const checks: SubCheckRun[] = [];
  await ctx.progress(0);
  for (const [i, step] of steps.entries()) {
    if (ctx.signal.aborted) return cancelled(ctx, findings, checks);
    // Each sub-check gets its own slice of the progress bar and may report within it.
    const from = (i / steps.length) * 100;
    const span = 100 / steps.length;
    const sub: SubCheckContext = { signal: ctx.signal, log: ctx.log, now, progress: (fraction) => ctx.progress(from + Math.min(1, Math.max(0, fraction)) * span) };
    if (step.run === null) {
      await ctx.log(`${step.name}: not configured, skipped`);
      checks.push({ name: step.name, outcome: "not_configured" });
      findings.push({ severity: "info", check: step.name, message: notCheckedMessage(step.name), evidence: `no ${step.name} settings in the ${agent.label} configuration for ${ctx.environment}` });
    } else {
      await ctx.log(`${step.name}: checking…`);
      try {
        const outcome = await step.run(sub);
        findings.push(...outcome.findings.map((f) => ({ check: step.name, ...f })));
        checks.push({ name: step.name, outcome: "ran", detail: outcome.checked });
        const counted = outcome.findings.filter((f) => f.severity !== "info").length;
        await ctx.log(`${step.name}: ${counted === 0 ? "ok" : `${counted} finding(s)`}`);
      } catch (e) {
        if (ctx.signal.aborted) return cancelled(ctx, findings, checks);
        // Only our own CannotRunError text is shown: a raw error may quote configuration (a DSN, a token).
        const why = e instanceof CannotRunError ? e.message : `unexpected failure (${errorCode(e, e instanceof Error ? e.name : typeof e)})`;
        if (e instanceof CannotRunError) findings.push(...e.findings.map((f) => ({ check: step.name, ...f })));
        checks.push({ name: step.name, outcome: "could_not_run", detail: oneLine(why) });
        await ctx.log(`${step.name}: could not run: ${why}`);
      }
    }
    await ctx.progress(((i + 1) / steps.length) * 100);
  }
  return { findings, checks, summary: checkedSummary(checks) };
}

/** "checked load test, bundle" — what ran, for the agent's one-line summary. */
export function checkedSummary(checks: SubCheckRun[]): string {
  const ran = checks.filter((c) => c.outcome === "ran").map((c) => c.detail || c.name);
  return ran.length > 0 ? `checked ${ran.join(", ")}` : "";
}

/** A configuration that does not parse: the whole agent could not run. */
export function invalidConfiguration(label: string, why: string): CheckResult {
  return { findings: [], checks: [{ name: "configuration", outcome: "could_not_run", detail: `Invalid ${label} configuration: ${oneLine(why)}` }], summary: "" };
}

async function cancelled(ctx: CheckContext, findings: CheckFinding[], checks: SubCheckRun[]): Promise<CheckResult> {
  const reason: unknown = ctx.signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? "aborted");
  await ctx.log(`cancelled: ${why}`).catch(() => {});
  return { findings, checks: [...checks, { name: "remaining checks", outcome: "could_not_run", detail: `cancelled before the checks finished: ${why}` }], summary: checkedSummary(checks) };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}
