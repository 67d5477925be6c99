import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { CheckContext, CheckFinding } from "../../../engine/ports.ts";
import type { TQaCommand, TQaConfig, TQaCoverage } from "./config.ts";
import { coverageByCriticalPath, formatPct, mergeFileLines, parseIstanbulSummary, parseLcov, type FileLines } from "./coverage.ts";
import { emptyTotals, parseJUnit } from "./junit.ts";
import { diffOpenApi } from "./openapi-diff.ts";
import { parseOpenApi, type OpenApiDocument } from "./openapi-document.ts";
import { runCommand, type CommandOutcome } from "./run-command.ts";
import { commandLabel } from "../../report-text.ts";

/**
 * What one part of the agent's checks produced: a phrase for the summary, its findings, and
 * `error` when it could not run (a missing or unreadable file, a program that does not start).
 */
export type PartOutcome = { summary: string; findings: CheckFinding[]; error?: string; cancelled?: boolean };

/** Shared by the parts of one run: the parsed config and, once the test command ran, when it started. */
export type PartInput = { config: TQaConfig; ctx: CheckContext; testsStartedAt: number | null };

/** Failing tests reported one by one; beyond this, one finding counts the rest. */
export const MAX_TEST_FINDINGS = 100;
/** Characters of a failure message kept as evidence (stack traces run long). */
export const MAX_EVIDENCE_CHARS = 1_500;

const MB = 1024 * 1024;

/**
 * The largest report of each kind that is read, in bytes. A 39 MB JUnit file took 15 s and
 * 324 MB of memory to parse; a suite of 20,000 tests with stack traces writes about 10 MB, the
 * lcov of a large monorepo about 20 MB, and an OpenAPI document of 2,000 operations about 5 MB.
 */
export const MAX_REPORT_BYTES = {
  junit: 16 * MB,
  coverage: 32 * MB,
  openapi: 8 * MB,
} as const;

export async function testCommandPart(cmd: TQaCommand, { config, ctx }: PartInput): Promise<PartOutcome> {
  await ctx.log(`Running the test command (${commandLabel(cmd.command, cmd.args)})`);
  const outcome = await runCommand(cmd, config.workspace, "tests", ctx.log, ctx.signal);
  return commandOutcome(outcome, cmd, {
    passed: { summary: "test command passed", findings: [] },
    failed: (how, tail) => ({ summary: `test command failed (${how})`, findings: [{ severity: "high", message: `test command failed (${how})`, evidence: tail }] }),
    label: "test command",
  });
}

export async function chaosPart(cmd: TQaCommand, { config, ctx }: PartInput): Promise<PartOutcome> {
  await ctx.log(`Running the resilience hook (${commandLabel(cmd.command, cmd.args)})`);
  const outcome = await runCommand(cmd, config.workspace, "chaos", ctx.log, ctx.signal);
  return commandOutcome(outcome, cmd, {
    passed: { summary: "resilience hook passed", findings: [{ severity: "info", message: "resilience hook passed", evidence: `${commandLabel(cmd.command, [])} exited 0` }] },
    failed: (how, tail) => ({ summary: `resilience hook failed (${how})`, findings: [{ severity: "high", message: `resilience hook failed (${how})`, evidence: tail }] }),
    label: "resilience hook",
  });
}

function commandOutcome(
  outcome: CommandOutcome,
  cmd: TQaCommand,
  on: { passed: PartOutcome; failed: (how: string, tail: string) => PartOutcome; label: string },
): PartOutcome {
  switch (outcome.kind) {
    case "exited":
      if (outcome.exitCode === 0) return on.passed;
      return on.failed(outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `killed by ${outcome.signal ?? "a signal"}`, tailOf(outcome.lastLines));
    case "timed_out": {
      // A suite that hangs is a finding about the release, not a failure of Flightdeck to check it.
      const message = `${on.label} timed out after ${cmd.timeoutMs} ms and was killed`;
      return { summary: message, findings: [{ severity: "high", message, evidence: tailOf(outcome.lastLines) }] };
    }
    case "cancelled":
      return { summary: `${on.label} cancelled`, findings: [], cancelled: true };
    case "not_started":
      return { summary: `${on.label} did not start`, findings: [], error: `${on.label} did not start: ${outcome.reason}` };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

export async function junitPart({ config, ctx, testsStartedAt }: PartInput): Promise<PartOutcome> {
  const totals = emptyTotals();
  for (const rel of config.junitPaths) {
    const read = await readWorkspaceFile(config.workspace, rel, "JUnit report", testsStartedAt, MAX_REPORT_BYTES.junit);
    if ("error" in read) return { summary: "JUnit report unreadable", findings: [], error: read.error };
    try {
      const one = parseJUnit(read.text);
      totals.tests += one.tests;
      totals.failures += one.failures;
      totals.errors += one.errors;
      totals.skipped += one.skipped;
      // A loop, not push(...failed): spreading 125,000 failures as arguments overflows the stack.
      for (const t of one.failed) totals.failed.push(t);
      await ctx.log(`JUnit ${rel}: ${one.tests} tests, ${one.failures} failures, ${one.errors} errors, ${one.skipped} skipped`);
    } catch (e) {
      return { summary: "JUnit report unreadable", findings: [], error: `JUnit report ${rel} could not be parsed: ${messageOf(e)}` };
    }
  }
  // An empty report proves nothing: no pass without tests.
  if (totals.tests === 0) return { summary: "no tests", findings: [], error: `JUnit reports contain no testcases (${config.junitPaths.join(", ")})` };
  const findings: CheckFinding[] = totals.failed.slice(0, MAX_TEST_FINDINGS).map((t) => ({
    severity: "high",
    message: `${t.kind === "error" ? "test errored" : "test failed"}: ${t.suite} › ${t.name}`,
    evidence: truncate(t.message, MAX_EVIDENCE_CHARS),
  }));
  if (totals.failed.length > MAX_TEST_FINDINGS) {
    const rest = totals.failed.slice(MAX_TEST_FINDINGS);
    findings.push({ severity: "high", message: `${rest.length} more failing tests`, evidence: truncate(rest.map((t) => `${t.suite} › ${t.name}`).join("\n"), MAX_EVIDENCE_CHARS) });
  }
  const failed = totals.failures + totals.errors;
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
  return { summary: `${totals.tests} tests, ${failed} failed${skipped}`, findings };
}

export async function coveragePart(coverage: TQaCoverage, { config, ctx, testsStartedAt }: PartInput): Promise<PartOutcome> {
  let files: FileLines = new Map();
  const sources: [string | undefined, string, (text: string, ws: string) => FileLines][] = [
    [coverage.lcovPath, "lcov tracefile", parseLcov],
    [coverage.summaryPath, "coverage summary", parseIstanbulSummary],
  ];
  for (const [rel, what, parse] of sources) {
    if (rel === undefined) continue;
    const read = await readWorkspaceFile(config.workspace, rel, what, testsStartedAt, MAX_REPORT_BYTES.coverage);
    if ("error" in read) return { summary: "coverage unreadable", findings: [], error: read.error };
    try {
      // The summary is read last and wins for files both report.
      files = mergeFileLines(parse(read.text, config.workspace), files);
    } catch (e) {
      return { summary: "coverage unreadable", findings: [], error: `${what} ${rel} could not be parsed: ${messageOf(e)}` };
    }
  }
  const findings: CheckFinding[] = [];
  const phrases: string[] = [];
  for (const c of coverageByCriticalPath(files, coverage.criticalPaths)) {
    if (c.pct === null) {
      findings.push({ severity: "medium", message: `no coverage data for ${c.criticalPath}`, evidence: `no file in the coverage report matches ${c.criticalPath} (${files.size} files reported)` });
      phrases.push(`no coverage data for ${c.criticalPath}`);
      continue;
    }
    const figure = formatPct(c.pct);
    await ctx.log(`Coverage ${c.criticalPath}: ${figure} (${c.covered}/${c.total} lines in ${c.files} files)`);
    phrases.push(`${figure} on ${c.criticalPath}`);
    if (c.pct < coverage.thresholdPct) {
      findings.push({
        severity: "high",
        message: `coverage ${figure} on ${c.criticalPath} is below the ${coverage.thresholdPct}% threshold`,
        evidence: `${c.covered} of ${c.total} lines covered in ${c.files} files matching ${c.criticalPath}`,
      });
    }
  }
  return { summary: `coverage ${phrases.join(", ")}`, findings };
}

export async function openApiPart(openapi: { previousPath: string; currentPath: string }, { config, ctx }: PartInput): Promise<PartOutcome> {
  const docs: OpenApiDocument[] = [];
  for (const [rel, which] of [[openapi.previousPath, "previous"], [openapi.currentPath, "current"]] as const) {
    const read = await readWorkspaceFile(config.workspace, rel, `${which} OpenAPI document`, null, MAX_REPORT_BYTES.openapi);
    if ("error" in read) return { summary: "API not compared", findings: [], error: read.error };
    try {
      docs.push(parseOpenApi(read.text, rel));
    } catch (e) {
      return { summary: "API not compared", findings: [], error: `${which} OpenAPI document ${rel} could not be parsed: ${messageOf(e)}` };
    }
  }
  const [previous, current] = docs;
  if (!previous || !current) return { summary: "API not compared", findings: [], error: "OpenAPI documents missing" };
  try {
    const findings = diffOpenApi(previous, current);
    const breaking = findings.filter((f) => f.severity === "high").length;
    const warnings = findings.filter((f) => f.severity === "low").length;
    await ctx.log(`OpenAPI ${openapi.previousPath} → ${openapi.currentPath}: ${breaking} breaking changes, ${warnings} warnings, ${findings.length - breaking - warnings} additions`);
    const warned = warnings === 0 ? "" : ` (${warnings} API warning${warnings === 1 ? "" : "s"})`;
    return { summary: `${breaking === 0 ? "API compatible" : `${breaking} breaking API change${breaking === 1 ? "" : "s"}`}${warned}`, findings };
  } catch (e) {
    // A dangling or external $ref, or a schema too deep or too large: the documents could not be compared in full.
    return { summary: "API not compared", findings: [], error: `OpenAPI documents could not be compared: ${messageOf(e)} (previous ${openapi.previousPath}, current ${openapi.currentPath})` };
  }
}

/**
 * Reads a file of the workspace. When the test command ran in this check, a report older than
 * its start is left over from an earlier run: reading it would report results this run did not earn.
 * A file over `maxBytes` is refused before it is read.
 */
async function readWorkspaceFile(workspace: string, rel: string, what: string, notBefore: number | null, maxBytes: number): Promise<{ text: string } | { error: string }> {
  const file = path.resolve(workspace, rel);
  try {
    const info = await stat(file);
    if (!info.isFile()) return { error: `${what} ${rel} is not a file` };
    if (info.size > maxBytes) return { error: `${what} ${rel} is ${(info.size / MB).toFixed(1)} MB, over the ${maxBytes / MB} MB limit for one report; not read` };
    // mtime granularity on some filesystems is a second or more; allow for it.
    if (notBefore !== null && info.mtimeMs < notBefore - 2_000) {
      return { error: `${what} ${rel} was not written by this run's test command (last modified ${new Date(info.mtimeMs).toISOString()})` };
    }
    return { text: await readFile(file, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? `${what} not found: ${rel}` : `${what} ${rel} could not be read: ${messageOf(e)}` };
  }
}

function tailOf(lines: string[]): string {
  const text = lines.slice(-10).join("\n").trim();
  return text.length === 0 ? "(no output)" : truncate(text, MAX_EVIDENCE_CHARS);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (truncated)` : s;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
