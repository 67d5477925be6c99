import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { Severity } from "../../../core/types.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import type { TSecurityReports } from "./config.ts";
import { redactSecrets } from "./secrets-scan.ts";
import { bySeverity, cycloneDxFormat, npmAuditFormat, sarifFormat, type ReportFormat, type Vulnerability } from "./report-formats.ts";

/** Findings listed one by one; the rest are counted in one more finding so a huge report stays readable. */
export const MAX_VULNERABILITY_FINDINGS = 100;
/** A scanner report larger than this is refused rather than parsed (a big monorepo's SARIF is a few MB). */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/**
 * Reads the scanner reports CI produced and turns each vulnerability into a finding of its own
 * severity (a critical one blocks the release), most severe first. A report that cannot be read
 * or is not what it claims to be stops the check: its vulnerabilities would go unseen.
 */
export async function checkScannerReports(reports: TSecurityReports, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const reading = <T>(format: ReportFormat<T>, paths: string[] | undefined) =>
    (paths ?? []).map((path) => ({ label: format.label, path, read: () => readReport(format, path, ctx.signal) }));
  const jobs = [...reading(npmAuditFormat, reports.npmAudit), ...reading(sarifFormat, reports.sarif), ...reading(cycloneDxFormat, reports.cyclonedx)];
  const found: Vulnerability[] = [];
  for (const [i, job] of jobs.entries()) {
    const vulnerabilities = await job.read();
    await ctx.log(`${job.label} ${job.path}: ${describeCounts(vulnerabilities)}`);
    found.push(...vulnerabilities.map((v) => ({ ...v, evidence: `${v.evidence}; report ${job.path}` })));
    await ctx.progress((i + 1) / jobs.length);
  }
  // A scanner's message may quote what it found (a secret scanner's SARIF quotes the credential).
  const findings = await Promise.all(capped(found.sort(bySeverity)).map(async (f) => ({ ...f, message: await redactSecrets(f.message), evidence: await redactSecrets(f.evidence) })));
  return { findings, checked: `${jobs.length} scanner report(s)` };
}

async function readReport<T>(format: ReportFormat<T>, path: string, signal: AbortSignal): Promise<Vulnerability[]> {
  const cannotRead = (e: unknown): never => {
    if (signal.aborted) throw signal.reason;
    throw new CannotRunError(`cannot read ${format.label} report ${path}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const info = await stat(path).catch(cannotRead);
  if (info.size > MAX_REPORT_BYTES) throw new CannotRunError(`${format.label} report ${path} is ${info.size} bytes, over the ${MAX_REPORT_BYTES}-byte limit`);
  const text = await readFile(path, { encoding: "utf8", signal }).catch(cannotRead);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new CannotRunError(`${format.label} report ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = format.schema.safeParse(root);
  if (!parsed.success) throw new CannotRunError(`${path} is not a ${format.label} report: ${z.prettifyError(parsed.error)}`);
  return format.vulnerabilities(parsed.data);
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
