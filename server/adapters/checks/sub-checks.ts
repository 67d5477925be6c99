import { z } from "zod";
import { notCheckedMessage } from "../../core/success-criteria.ts";
import type { CheckContext, CheckFinding, CheckResult } from "../../engine/ports.ts";
import { notConfiguredRunner } from "./not-configured.ts";
import { CannotRunError, isEmptyConfig, type SubCheckContext, type SubCheckOutcome } from "./support.ts";
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
 * at once. `failed` on any high or critical finding (even when another sub-check could not run:
 * a failure cannot be waived, an error can); otherwise `error` when the configuration is invalid,
 * a configured sub-check could not run (CannotRunError or anything unexpected) or the run was
 * cancelled — a check that did not run never reads as a pass; `not_configured` with no configuration.
 */
export async function runSubChecks<C>(ctx: CheckContext, agent: SubCheckAgent<C>, now: () => number = Date.now): Promise<CheckResult> {
  if (isEmptyConfig(ctx.config)) return notConfiguredRunner.run(ctx);
  const parsed = agent.schema.safeParse(ctx.config);
  if (!parsed.success) {
    const why = z.prettifyError(parsed.error);
    await ctx.log(`invalid ${agent.label} configuration:\n${why}`);
    await ctx.progress(100);
    return { status: "error", summary: `Invalid ${agent.label} configuration: ${oneLine(why)}`, findings: [] };
  }
  const steps = agent.subChecks(parsed.data, ctx);
  if (steps.every((s) => s.run === null)) return notConfiguredRunner.run(ctx);

  const findings: CheckFinding[] = [];
  const checked: string[] = [];
  const problems: string[] = [];
  await ctx.progress(0);
  for (const [i, step] of steps.entries()) {
    if (ctx.signal.aborted) return cancelled(ctx, findings);
    // Each sub-check gets its own slice of the progress bar and may report within it.
    const from = (i / steps.length) * 100;
    const span = 100 / steps.length;
    const sub: SubCheckContext = { signal: ctx.signal, log: ctx.log, now, progress: (fraction) => ctx.progress(from + Math.min(1, Math.max(0, fraction)) * span) };
    if (step.run === null) {
      await ctx.log(`${step.name}: not configured, skipped`);
      findings.push({ severity: "info", check: step.name, message: notCheckedMessage(step.name), evidence: `no ${step.name} settings in the ${agent.label} configuration for ${ctx.environment}` });
    } else {
      await ctx.log(`${step.name}: checking…`);
      try {
        const outcome = await step.run(sub);
        findings.push(...outcome.findings.map((f) => ({ check: step.name, ...f })));
        checked.push(outcome.checked);
        const counted = outcome.findings.filter((f) => f.severity !== "info").length;
        await ctx.log(`${step.name}: ${counted === 0 ? "ok" : `${counted} finding(s)`}`);
      } catch (e) {
        if (ctx.signal.aborted) return cancelled(ctx, findings);
        // Only our own CannotRunError text is shown: a raw error may quote configuration (a DSN, a token).
        const why = e instanceof CannotRunError ? e.message : `unexpected failure (${errorCode(e, e instanceof Error ? e.name : typeof e)})`;
        if (e instanceof CannotRunError) findings.push(...e.findings.map((f) => ({ check: step.name, ...f })));
        problems.push(`${step.name}: ${why}`);
        await ctx.log(`${step.name}: could not run: ${why}`);
      }
    }
    await ctx.progress(((i + 1) / steps.length) * 100);
  }
  return result(findings, checked, problems);
}

function result(findings: CheckFinding[], checked: string[], problems: string[]): CheckResult {
  const blocking = findings.filter((f) => f.severity === "critical" || f.severity === "high").length;
  // The log has the parser's full message with its excerpt; the summary is one line.
  const why = problems.map(oneLine).join("; ");
  const scope = `checked ${checked.length > 0 ? checked.join(", ") : "nothing else"}`;
  // Failed wins over error: a finding that blocks must not become waivable because another sub-check broke.
  if (blocking > 0) return { status: "failed", summary: `${blocking} high or critical finding(s) of ${findings.length}; ${scope}${why ? `; could not run: ${why}` : ""}`, findings };
  if (problems.length > 0) {
    return { status: "error", summary: `Could not run: ${why}${findings.length > 0 ? ` (${findings.length} finding(s) from the other checks)` : ""}`, findings };
  }
  const lower = findings.filter((f) => f.severity !== "info").length;
  return { status: "passed", summary: `No high or critical findings${lower > 0 ? ` (${lower} medium or low)` : ""}; ${scope}`, findings };
}

async function cancelled(ctx: CheckContext, findings: CheckFinding[]): Promise<CheckResult> {
  const reason: unknown = ctx.signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? "aborted");
  await ctx.log(`cancelled: ${why}`).catch(() => {});
  return { status: "error", summary: `Cancelled before the checks finished: ${why}`, findings };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}
