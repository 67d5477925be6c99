import { z } from "zod";
import { SEVERITIES, type Severity } from "../../../core/types.ts";
import { excerpt } from "../../report-text.ts";

/** One vulnerability from a scanner report, in the release team's terms; the report's path is added by the caller. */
export type Vulnerability = { severity: Severity; message: string; evidence: string; link?: string };

/** A report format: its name in messages, its schema and how its vulnerabilities read. */
export type ReportFormat<T> = { label: string; schema: z.ZodType<T, unknown>; vulnerabilities: (report: T) => Vulnerability[] };

// SEVERITIES runs from the most severe (critical) to the least (info).

/** The more severe of two severities. */
function worse(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** Most severe first, for capping and for reading. */
export function bySeverity(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
}

// CVSS v3 qualitative ratings, which GitHub code scanning also applies to SARIF `security-severity`.
function fromScore(score: number): Severity {
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

// ---- SARIF 2.1.0 --------------------------------------------------------------------------------

const ZSarifLevel = z.enum(["none", "note", "warning", "error"]);

const ZSarifRule = z.object({
  id: z.string(),
  name: z.string().optional(),
  shortDescription: z.object({ text: z.string() }).optional(),
  helpUri: z.string().optional(),
  defaultConfiguration: z.object({ level: ZSarifLevel.optional() }).optional(),
  properties: z.object({ "security-severity": z.union([z.string(), z.number()]).optional() }).optional(),
});

const ZSarifResult = z.object({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  rule: z.object({ id: z.string().optional(), index: z.number().int().optional() }).optional(),
  level: ZSarifLevel.optional(),
  /** "fail" (the default) is a finding; pass, open, review, notApplicable and informational are not */
  kind: z.string().optional(),
  message: z.object({ text: z.string().optional(), markdown: z.string().optional() }),
  locations: z
    .array(
      z.object({
        physicalLocation: z
          .object({ artifactLocation: z.object({ uri: z.string().optional() }).optional(), region: z.object({ startLine: z.number().int().optional() }).optional() })
          .optional(),
      }),
    )
    .optional(),
  suppressions: z.array(z.object({ status: z.string().optional() })).optional(),
});

const ZSarif = z.object({
  version: z.literal("2.1.0", { error: 'expected "2.1.0"' }),
  runs: z.array(z.object({ tool: z.object({ driver: z.object({ name: z.string(), rules: z.array(ZSarifRule).default([]) }) }), results: z.array(ZSarifResult).default([]) })),
});
type Sarif = z.infer<typeof ZSarif>;
type SarifRule = z.infer<typeof ZSarifRule>;
type SarifResult = z.infer<typeof ZSarifResult>;

const LEVEL_SEVERITY: Record<z.infer<typeof ZSarifLevel>, Severity> = { error: "high", warning: "medium", note: "low", none: "info" };

function sarifSeverity(result: SarifResult, rule: SarifRule | undefined): Severity {
  const score = Number(rule?.properties?.["security-severity"] ?? Number.NaN);
  if (Number.isFinite(score)) return fromScore(score);
  // SARIF §3.27.10: without a level of its own a result takes the rule's default, else "warning".
  return LEVEL_SEVERITY[result.level ?? rule?.defaultConfiguration?.level ?? "warning"];
}

function sarifRule(result: SarifResult, rules: SarifRule[]): SarifRule | undefined {
  const index = result.ruleIndex ?? result.rule?.index;
  const id = result.ruleId ?? result.rule?.id;
  return (index === undefined ? undefined : rules[index]) ?? rules.find((r) => r.id === id);
}

// An accepted (or status-less) suppression means the team reviewed the result; under review or rejected still counts.
function suppressed(result: SarifResult): boolean {
  return (result.suppressions ?? []).some((s) => s.status === undefined || s.status === "accepted");
}

/** One vulnerability per failing, unsuppressed result; severity from the rule's security-severity, else the result's level. */
export const sarifFormat: ReportFormat<Sarif> = {
  label: "SARIF",
  schema: ZSarif,
  vulnerabilities: (report) =>
    report.runs.flatMap((run) =>
      run.results
        .filter((r) => (r.kind ?? "fail") === "fail" && !suppressed(r))
        .map((result) => {
          const rule = sarifRule(result, run.tool.driver.rules);
          const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id ?? "(no rule id)";
          const physical = result.locations?.[0]?.physicalLocation;
          const line = physical?.region?.startLine;
          const where = physical?.artifactLocation?.uri === undefined ? "(no location)" : `${physical.artifactLocation.uri}${line === undefined ? "" : `:${line}`}`;
          const title = rule?.shortDescription?.text ?? rule?.name ?? ruleId;
          return {
            severity: sarifSeverity(result, rule),
            message: `${run.tool.driver.name}: ${excerpt(title, 160)} in ${where}`,
            evidence: `rule ${ruleId} at ${where}: ${excerpt(result.message.text ?? result.message.markdown ?? "(no message)")}`,
            ...(rule?.helpUri === undefined ? {} : { link: rule.helpUri }),
          };
        }),
    ),
};

// ---- CycloneDX ----------------------------------------------------------------------------------

type CdxComponent = { "bom-ref"?: string | undefined; group?: string | undefined; name: string; version?: string | undefined; components?: CdxComponent[] | undefined };
const ZCdxComponent: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({ "bom-ref": z.string().optional(), group: z.string().optional(), name: z.string(), version: z.string().optional(), components: z.array(ZCdxComponent).optional() }),
);

const ZCdxSeverity = z.enum(["critical", "high", "medium", "low", "info", "none", "unknown"]);

const ZCycloneDx = z.object({
  bomFormat: z.literal("CycloneDX", { error: 'expected "CycloneDX"' }),
  // The vulnerabilities section exists since specification 1.4.
  specVersion: z.string().regex(/^1\.(?:[4-9]|\d{2,})$/, "expected 1.4 or later (the first version with vulnerabilities)"),
  metadata: z.object({ component: ZCdxComponent.optional() }).optional(),
  components: z.array(ZCdxComponent).default([]),
  // Required: an SBOM without the section was most likely never scanned, and "nothing found" would be a pass nobody earned.
  vulnerabilities: z.array(
    z.object({
      id: z.string(),
      source: z.object({ name: z.string().optional(), url: z.string().optional() }).optional(),
      ratings: z.array(z.object({ severity: ZCdxSeverity.optional(), score: z.number().optional() })).default([]),
      description: z.string().optional(),
      advisories: z.array(z.object({ url: z.string() })).optional(),
      affects: z.array(z.object({ ref: z.string() })).default([]),
    }),
    { error: "expected a vulnerabilities array (was the SBOM scanned?)" },
  ),
});
type CycloneDx = z.infer<typeof ZCycloneDx>;

function componentNames(components: CdxComponent[], into = new Map<string, string>()): Map<string, string> {
  for (const c of components) {
    const name = `${c.group === undefined ? "" : `${c.group}/`}${c.name}${c.version === undefined ? "" : `@${c.version}`}`;
    if (c["bom-ref"] !== undefined) into.set(c["bom-ref"], name);
    componentNames(c.components ?? [], into);
  }
  return into;
}

// The worst rating wins. A vulnerability rated only "unknown" (or not at all) is medium: not dismissed, not blocking.
function cdxSeverity(ratings: CycloneDx["vulnerabilities"][number]["ratings"]): Severity {
  const rated = ratings.map((r): Severity | null => {
    if (r.severity === "none") return "info";
    if (r.severity !== undefined && r.severity !== "unknown") return r.severity;
    return r.score === undefined ? null : fromScore(r.score);
  });
  return rated.reduce<Severity | null>((acc, s) => (s === null ? acc : acc === null ? s : worse(acc, s)), null) ?? "medium";
}

/** One vulnerability per entry of `vulnerabilities[]`, naming the affected components as name@version. */
export const cycloneDxFormat: ReportFormat<CycloneDx> = {
  label: "CycloneDX",
  schema: ZCycloneDx,
  vulnerabilities: (report) => {
    const names = componentNames([...(report.metadata?.component === undefined ? [] : [report.metadata.component]), ...report.components]);
    return report.vulnerabilities.map((v) => {
      const affected = v.affects.map((a) => names.get(a.ref) ?? a.ref);
      const link = v.source?.url ?? v.advisories?.[0]?.url;
      return {
        severity: cdxSeverity(v.ratings),
        message: `CycloneDX: ${v.id} in ${affected.join(", ") || "(no affected component)"}`,
        evidence: `${v.id}${v.source?.name === undefined ? "" : ` (${v.source.name})`}${v.description === undefined ? "" : `: ${excerpt(v.description)}`}`,
        ...(link === undefined ? {} : { link }),
      };
    });
  },
};
