import { notCheckedMessage, SUB_CHECK } from "../../../core/success-criteria.ts";
import { stat } from "node:fs/promises";
import { z } from "zod";
import type { CheckContext, CheckFinding, CheckResult, CheckRunner } from "../../../engine/ports.ts";
import { isEmptyConfig } from "../support.ts";
import { ZQaConfig, type TQaConfig } from "./config.ts";
import { chaosPart, coveragePart, junitPart, openApiPart, testCommandPart, type PartInput, type PartOutcome } from "./parts.ts";

type Part = { name: string; run: (input: PartInput) => Promise<PartOutcome> };

/**
 * The qa-test-engineer agent: runs the service's tests, reads their JUnit and coverage reports,
 * compares the API with the baseline's, and runs the resilience hook, in that order (the test
 * command writes the reports the next parts read). Every configured part runs even when an
 * earlier one fails, so the release manager sees everything at once.
 *
 * `failed`: any high or critical finding. `error`: the configuration is invalid, or a part could
 * not run (a missing or malformed report, a program that does not start, a cancelled run).
 * `not_configured`: nothing to check. Only a run where every configured part ran clean passes.
 */
export const qaRunner: CheckRunner = {
  async run(ctx: CheckContext): Promise<CheckResult> {
    if (isEmptyConfig(ctx.config)) return notConfigured(ctx, "No QA checks configured");
    const parsed = ZQaConfig.safeParse(ctx.config);
    if (!parsed.success) {
      const summary = `Invalid qa-test-engineer configuration: ${z.prettifyError(parsed.error).replace(/\n/g, " ")}`;
      await ctx.log(summary);
      await ctx.progress(100);
      return { status: "error", summary, findings: [] };
    }
    const config = parsed.data;
    const parts = partsOf(config);
    if (parts.length === 0) return notConfigured(ctx, "No QA checks configured (only a workspace)");
    if (!(await isDirectory(config.workspace))) {
      const summary = `Workspace ${config.workspace} does not exist or is not a folder`;
      await ctx.log(summary);
      await ctx.progress(100);
      return { status: "error", summary, findings: [] };
    }

    await ctx.progress(0);
    const input: PartInput = { config, ctx, testsStartedAt: null };
    const outcomes: PartOutcome[] = [];
    for (const [i, part] of parts.entries()) {
      if (ctx.signal.aborted) break;
      if (part.name === SUB_CHECK.tests) input.testsStartedAt = Date.now();
      await ctx.log(`— ${part.name} —`);
      const outcome = await part.run(input);
      outcomes.push({ ...outcome, findings: outcome.findings.map((f) => ({ check: part.name, ...f })) });
      if (outcome.error) await ctx.log(`Could not check: ${outcome.error}`);
      await ctx.progress(Math.round((100 * (i + 1)) / parts.length));
    }
    const result = resultOf(outcomes, ctx.signal);
    if (!config.testCommand && config.junitPaths.length === 0) {
      // Coverage or API checks alone are no evidence that the tests pass: say so where the success criteria look.
      result.findings.push({ check: SUB_CHECK.tests, severity: "info", message: notCheckedMessage(SUB_CHECK.tests), evidence: "no testCommand or junitPaths in the qa-test-engineer configuration" });
    }
    return result;
  },
};

function partsOf(config: TQaConfig): Part[] {
  const parts: Part[] = [];
  const { testCommand, coverage, openapi, chaosCommand } = config;
  if (testCommand) parts.push({ name: SUB_CHECK.tests, run: (input) => testCommandPart(testCommand, input) });
  if (config.junitPaths.length > 0) parts.push({ name: "junit", run: junitPart });
  if (coverage) parts.push({ name: "coverage", run: (input) => coveragePart(coverage, input) });
  if (openapi) parts.push({ name: "api compatibility", run: (input) => openApiPart(openapi, input) });
  if (chaosCommand) parts.push({ name: "resilience", run: (input) => chaosPart(chaosCommand, input) });
  return parts;
}

function resultOf(outcomes: PartOutcome[], signal: AbortSignal): CheckResult {
  const findings: CheckFinding[] = outcomes.flatMap((o) => o.findings);
  const done = outcomes.filter((o) => !o.cancelled).map((o) => o.summary);
  if (signal.aborted || outcomes.some((o) => o.cancelled)) {
    const reason = signal.reason instanceof Error ? signal.reason.message : "the run was aborted";
    return { status: "error", summary: `Cancelled (${reason})${done.length > 0 ? `; ${done.join("; ")}` : ""}`, findings };
  }
  const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
  const summary = outcomes.filter((o) => !o.error).map((o) => o.summary).join("; ");
  const blocking = findings.some((f) => f.severity === "high" || f.severity === "critical");
  // Failed wins over error: a blocking finding must not become waivable because another part broke.
  if (blocking) return { status: "failed", summary: `${summary}${errors.length > 0 ? `; could not check: ${errors.join("; ")}` : ""}`, findings };
  // A part that could not run means the check as a whole was not earned, whatever the rest found.
  if (errors.length > 0) return { status: "error", summary: `Could not check: ${errors.join("; ")}${summary ? ` — ${summary}` : ""}`, findings };
  return { status: "passed", summary, findings };
}

async function notConfigured(ctx: CheckContext, summary: string): Promise<CheckResult> {
  await ctx.log(`${summary} for ${ctx.service} in ${ctx.environment}.`);
  await ctx.progress(100);
  return { status: "not_configured", summary, findings: [] };
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
