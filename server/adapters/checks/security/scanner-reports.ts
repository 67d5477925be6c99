import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { Severity } from "../../../core/types.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import type { TSecurityReports } from "./config.ts";
import { redactSecrets } from "./secrets-scan.ts";
import { bySeverity, npmAuditFormat, type ReportFormat, type Vulnerability } from "./report-formats.ts";
import { sarifFormat } from "./sarif-format.ts";
import { cycloneDxFormat } from "./cyclonedx-format.ts";

/** Findings listed one by one; the rest are counted in one more finding so a huge report stays readable. */
export const MAX_VULNERABILITY_FINDINGS = 100;
/** A scanner report larger than this is refused rather than parsed (a big monorepo's SARIF is a few MB). */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
/**
 * A report nested deeper than this is refused before it is walked. Scanner reports nest a few dozen
 * levels (a CycloneDX component tree a handful of components deep); thousands of levels would only
 * overflow the stack of whatever walks them recursively.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * Reads the scanner reports CI produced and turns each vulnerability into a finding of its own
 * severity (a critical one blocks the release), most severe first. A report that cannot be read or
 * is not what it claims to be stops the check after the other reports were read: the check then
 * names the report at fault and still reports what the others found.
 */
export async function checkScannerReports(reports: TSecurityReports, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const reading = <T>(format: ReportFormat<T>, paths: string[] | undefined) =>
    (paths ?? []).map((path) => ({ label: format.label, path, read: () => readReport(format, path, ctx.signal) }));
  const jobs = [...reading(npmAuditFormat, reports.npmAudit), ...reading(sarifFormat, reports.sarif), ...reading(cycloneDxFormat, reports.cyclonedx)];
  const found: Vulnerability[] = [];
  const refused: string[] = [];
  for (const [i, job] of jobs.entries()) {
    try {
      const vulnerabilities = await job.read();
      await ctx.log(`${job.label} ${job.path}: ${describeCounts(vulnerabilities)}`);
      // One by one: spreading a report-sized array into push() overflows the stack from ~125k entries.
      for (const v of vulnerabilities) found.push({ ...v, evidence: `${v.evidence}; report ${job.path}` });
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const why = e instanceof CannotRunError ? e.message : `${job.label} report ${job.path} could not be read through: unexpected ${e instanceof Error ? e.name : typeof e}`;
      await ctx.log(why);
      refused.push(why);
    }
    await ctx.progress((i + 1) / jobs.length);
  }
  // A scanner's message may quote what it found (a secret scanner's SARIF quotes the credential).
  const findings = await Promise.all(capped(found.sort(bySeverity)).map(async (f) => ({ ...f, message: await redactSecrets(f.message), evidence: await redactSecrets(f.evidence) })));
  if (refused.length > 0) throw new CannotRunError(refused.join("; "), findings);
  return { findings, checked: `${jobs.length} scanner report(s)` };
}

async function readReport<T>(format: ReportFormat<T>, path: string, signal: AbortSignal): Promise<Vulnerability[]> {
  const cannotRead = (e: unknown): never => {
    if (signal.aborted) throw signal.reason;
    throw new CannotRunError(`cannot read ${format.label} report ${path}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const info = await stat(path).catch(cannotRead);
  if (info.size > MAX_REPORT_BYTES) throw new CannotRunError(`${format.label} report ${path} is ${mebibytes(info.size)}, over the ${mebibytes(MAX_REPORT_BYTES)} limit for one report`);
  const bytes = await readFile(path, { signal }).catch(cannotRead);
  // PowerShell 5's `>` writes UTF-16; read as UTF-8 it would only say "not valid JSON".
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new CannotRunError(`${format.label} report ${path} is UTF-16 encoded; write it as UTF-8 (the encoding JSON requires)`);
  }
  return parseReport(format, bytes.toString("utf8"), path);
}

/**
 * A report's vulnerabilities from its text, or a CannotRunError naming `path` and saying why it
 * was refused (not JSON, nested too deep, not the format it claims, or failing to be read through).
 * Never any other error, whatever the text.
 */
export function parseReport<T>(format: ReportFormat<T>, text: string, path: string): Vulnerability[] {
  let root: unknown;
  try {
    // RFC 8259 §8.1 lets parsers ignore a UTF-8 byte-order mark; Windows tools write one.
    root = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (e) {
    throw new CannotRunError(`${format.label} report ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (nestedDeeperThan(root, MAX_NESTING_DEPTH)) {
    throw new CannotRunError(`${format.label} report ${path} is nested more than ${MAX_NESTING_DEPTH} levels deep; refused rather than walked`);
  }
  try {
    const parsed = format.schema.safeParse(root);
    if (!parsed.success) throw new CannotRunError(`${path} is not a ${format.label} report: ${z.prettifyError(parsed.error)}`);
    return format.vulnerabilities(parsed.data);
  } catch (e) {
    if (e instanceof CannotRunError) throw e;
    // Only the error's name: its message may quote the report.
    throw new CannotRunError(`${format.label} report ${path} could not be read through: unexpected ${e instanceof Error ? e.name : typeof e}`);
  }
}

/** Whether a parsed JSON value nests arrays and objects more than `limit` levels deep, measured without recursion. */
function nestedDeeperThan(root: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(item.value)) if (typeof child === "object" && child !== null) stack.push({ value: child, depth });
  }
  return false;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function capped(sorted: Vulnerability[]): CheckFinding[] {
  const shown = sorted.slice(0, MAX_VULNERABILITY_FINDINGS);
  const rest = sorted.slice(MAX_VULNERABILITY_FINDINGS);
  const first = rest[0];
  if (first === undefined) return shown;
  return [...shown, { severity: first.severity, message: `${rest.length} more vulnerabilities not listed`, evidence: `${describeCounts(rest)}; the reports list them all` }];
}

function describeCounts(vulnerabilities: readonly { severity: Severity }[]): string {
  if (vulnerabilities.length === 0) return "no vulnerabilities";
  const counts = new Map<Severity, number>();
  for (const v of vulnerabilities) counts.set(v.severity, (counts.get(v.severity) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => bySeverity({ severity: a }, { severity: b }))
    .map(([severity, n]) => `${n} ${severity}`)
    .join(", ");
}
