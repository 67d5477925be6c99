import { z } from "zod";
import { SEVERITIES, type Severity } from "../../../core/types.ts";
import { excerpt } from "../../report-text.ts";

/** One vulnerability from a scanner report, in the release team's terms; the report's path is added by the caller. */
export type Vulnerability = { severity: Severity; message: string; evidence: string; link?: string };

/** A report format: its name in messages, its schema and how its vulnerabilities read. */
export type ReportFormat<T> = { label: string; schema: z.ZodType<T, unknown>; vulnerabilities: (report: T) => Vulnerability[] };

// SEVERITIES runs from the most severe (critical) to the least (info).

/** The more severe of two severities. */
export function worse(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** Most severe first, for capping and for reading. */
export function bySeverity(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
}

/** CVSS v3 qualitative ratings, which GitHub code scanning also applies to SARIF `security-severity`. */
export function fromScore(score: number): Severity {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return score > 0 ? "low" : "info";
}

// ---- npm audit (npm 7+) -------------------------------------------------------------------------

const ZNpmSeverity = z.enum(["info", "low", "moderate", "high", "critical"]);
const ZNpmAdvisory = z.object({ name: z.string(), title: z.string(), url: z.string().optional(), severity: ZNpmSeverity, range: z.string().optional() });

const ZNpmAudit = z.object({
  auditReportVersion: z.literal(2, { error: "expected 2 (npm 7 or later; npm 6 reports are not supported)" }),
  vulnerabilities: z.record(
    z.string(),
    z.object({
      name: z.string(),
      severity: ZNpmSeverity,
      /** advisories, or names of the vulnerable packages this one depends on */
      via: z.array(z.union([z.string(), ZNpmAdvisory])),
      range: z.string(),
      nodes: z.array(z.string()).default([]),
      fixAvailable: z.union([z.boolean(), z.object({ name: z.string(), version: z.string(), isSemVerMajor: z.boolean().optional() })]),
    }),
  ),
});
type NpmAudit = z.infer<typeof ZNpmAudit>;

function npmFix(fix: NpmAudit["vulnerabilities"][string]["fixAvailable"]): string {
  if (fix === false) return "no fix available";
  if (fix === true) return "fix: npm audit fix";
  return `fix: ${fix.name}@${fix.version}${fix.isSemVerMajor === true ? " (semver-major)" : ""}`;
}

/** One vulnerability per vulnerable package, as npm counts them; a package only vulnerable through another says which. */
export const npmAuditFormat: ReportFormat<NpmAudit> = {
  label: "npm audit",
  schema: ZNpmAudit,
  vulnerabilities: (report) =>
    Object.values(report.vulnerabilities).map((v) => {
      const advisories = v.via.filter((x) => typeof x !== "string");
      const through = v.via.filter((x) => typeof x === "string");
      const what = advisories.length > 0 ? advisories.map((a) => a.title).join("; ") : `through ${through.join(", ")}`;
      const ids = advisories.map((a) => a.url?.split("/").pop()).filter((id) => id !== undefined);
      return {
        severity: v.severity === "moderate" ? "medium" : v.severity,
        message: `npm audit: ${v.name} ${v.range}: ${excerpt(what, 160)}`,
        evidence: `${v.name} ${v.range} at ${v.nodes.join(", ") || "(no install path)"}${ids.length > 0 ? `; ${ids.join(", ")}` : ""}; ${npmFix(v.fixAvailable)}`,
        ...(advisories[0]?.url === undefined ? {} : { link: advisories[0].url }),
      };
    }),
};
