import { notCheckedMessage, SUB_CHECK } from "../../../core/success-criteria.ts";
import { stat } from "node:fs/promises";
import { z } from "zod";
import type { CheckContext, CheckFinding, CheckResult, CheckRunner } from "../../../engine/ports.ts";
import type { SubCheckRun } from "../../../core/types.ts";
import { invalidConfiguration } from "../sub-checks.ts";
import { isEmptyConfig } from "../check-io.ts";
import { ZQaConfig, type TQaConfig } from "./config.ts";
import { chaosPart, coveragePart, junitPart, openApiPart, testCommandPart, type PartInput, type PartOutcome } from "./parts.ts";

type Part = { name: string; run: (input: PartInput) => Promise<PartOutcome> };

/**
 * The qa-test-engineer agent: runs the service's tests, reads their JUnit and coverage reports,
 * compares the API with the baseline's, and runs the resilience hook, in that order (the test
 * command writes the reports the next parts read). Every configured part runs even when an
 * earlier one fails, so the release manager sees everything at once.
 *
 * It reports each part as ran or could not run (the configuration is invalid, a missing or
 * malformed report, a program that does not start, a cancelled run); the core judges the
 * verdict from the findings and the run's policy (core/judge.ts).
 */
export const qaRunner: CheckRunner = {
  async run(ctx: CheckContext): Promise<CheckResult> {
    if (isEmptyConfig(ctx.config)) return notConfigured(ctx, "No QA checks configured");
    const parsed = ZQaConfig.safeParse(ctx.config);
    if (!parsed.success) {
      const why = z.prettifyError(parsed.error);
      await ctx.log(`Invalid qa-test-engineer configuration: ${why.replace(/\n/g, " ")}`);
      await ctx.progress(100);
      return invalidConfiguration("qa-test-engineer", why);
    }
    const config = parsed.data;
    const parts = partsOf(config);
    if (parts.length === 0) return notConfigured(ctx, "No QA checks configured (only a workspace)");
    if (!(await isDirectory(config.workspace))) {
      const summary = `Workspace ${config.workspace} does not exist or is not a folder`;
      await ctx.log(summary);
      await ctx.progress(100);
      return { findings: [], checks: [{ name: "workspace", outcome: "could_not_run", detail: summary }], summary: "" };
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
    const result = resultOf(parts, outcomes, ctx.signal);
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
  if (config.junitPaths.length > 0) parts.push({ name: SUB_CHECK.junit, run: junitPart });
  if (coverage) parts.push({ name: "coverage", run: (input) => coveragePart(coverage, input) });
  if (openapi) parts.push({ name: "api compatibility", run: (input) => openApiPart(openapi, input) });
  if (chaosCommand) parts.push({ name: "resilience", run: (input) => chaosPart(chaosCommand, input) });
  return parts;
}

function resultOf(parts: Part[], outcomes: PartOutcome[], signal: AbortSignal): CheckResult {
  const findings: CheckFinding[] = outcomes.flatMap((o) => o.findings);
  const checks: SubCheckRun[] = outcomes.map((o, i) => ({
    name: parts[i]?.name ?? "part",
    ...(o.cancelled ? { outcome: "could_not_run", detail: "cancelled" } : o.error ? { outcome: "could_not_run", detail: o.error } : { outcome: "ran", detail: o.summary }),
  }) satisfies SubCheckRun);
  if (signal.aborted || outcomes.length < parts.length) {
    const reason = signal.reason instanceof Error ? signal.reason.message : "the run was aborted";
    checks.push({ name: "remaining checks", outcome: "could_not_run", detail: `cancelled (${reason})` });
  }
  const summary = outcomes.filter((o) => !o.error && !o.cancelled).map((o) => o.summary).join("; ");
  return { findings, checks, summary };
}

async function notConfigured(ctx: CheckContext, summary: string): Promise<CheckResult> {
  await ctx.log(`${summary} for ${ctx.service} in ${ctx.environment}.`);
  await ctx.progress(100);
  return { checks: [], summary, findings: [] };
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
