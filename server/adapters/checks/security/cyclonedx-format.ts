import { z } from "zod";
import type { Severity } from "../../../core/types.ts";
import { excerpt } from "../../report-text.ts";
import { fromScore, worse, type ReportFormat, type Vulnerability } from "./report-formats.ts";

// CycloneDX JSON (1.4 and later), as Trivy, Grype, cdxgen and cyclonedx-npm + OSV write it.

type CdxComponent = { "bom-ref"?: string | undefined; group?: string | undefined; name: string; version?: string | undefined; components?: CdxComponent[] | undefined };
// Recursive, but bounded: the reader refuses documents nested deeper than MAX_NESTING_DEPTH before this schema sees them.
const ZCdxComponent: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({ "bom-ref": z.string().optional(), group: z.string().optional(), name: z.string(), version: z.string().optional(), components: z.array(ZCdxComponent).optional() }),
);

const ZCdxSeverity = z.enum(["critical", "high", "medium", "low", "info", "none", "unknown"]);

/** CycloneDX 1.4+ `vulnerabilities[].analysis` (the VEX part): what the team concluded about this vulnerability. */
const ZCdxAnalysis = z.object({
  /** resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected */
  state: z.string().optional(),
  /** why not affected: code_not_present, code_not_reachable, requires_configuration, protected_at_runtime, … */
  justification: z.string().optional(),
  response: z.array(z.string()).optional(),
  detail: z.string().optional(),
});

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
      analysis: ZCdxAnalysis.optional(),
    }),
    { error: "expected a vulnerabilities array (was the SBOM scanned?)" },
  ),
});
type CycloneDx = z.infer<typeof ZCycloneDx>;
type CdxVulnerability = CycloneDx["vulnerabilities"][number];

/** bom-ref → group/name@version for every component of the tree, walked with a stack of its own rather than the call stack. */
function componentNames(roots: readonly CdxComponent[]): Map<string, string> {
  const names = new Map<string, string>();
  const stack = [...roots];
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    const name = `${c.group === undefined ? "" : `${c.group}/`}${c.name}${c.version === undefined ? "" : `@${c.version}`}`;
    if (c["bom-ref"] !== undefined && !names.has(c["bom-ref"])) names.set(c["bom-ref"], name);
    for (const child of c.components ?? []) stack.push(child);
  }
  return names;
}

// The worst rating wins. A vulnerability rated only "unknown" (or not at all) is medium: not dismissed, not blocking.
function cdxSeverity(ratings: CdxVulnerability["ratings"]): Severity {
  let worst: Severity | null = null;
  for (const r of ratings) {
    const rated: Severity | null = r.severity === "none" ? "info" : r.severity !== undefined && r.severity !== "unknown" ? r.severity : r.score === undefined ? null : fromScore(r.score);
    if (rated !== null) worst = worst === null ? rated : worse(worst, rated);
  }
  return worst ?? "medium";
}

// CycloneDX's impact analysis states that mean "this does not affect the release"; in_triage and exploitable keep the rating.
const DISMISSED_STATES: ReadonlySet<string> = new Set(["not_affected", "resolved", "resolved_with_pedigree", "false_positive"]);

/** "not_affected: code_not_reachable" — the team's conclusion as the BOM states it. */
function analysisText(analysis: NonNullable<CdxVulnerability["analysis"]>): string {
  const detail = analysis.detail === undefined ? "" : ` (${excerpt(analysis.detail, 160)})`;
  const response = analysis.response === undefined || analysis.response.length === 0 ? "" : `; response ${analysis.response.join(", ")}`;
  return `${analysis.state ?? "no state"}${analysis.justification === undefined ? "" : `: ${analysis.justification}`}${detail}${response}`;
}

/**
 * One vulnerability per entry of `vulnerabilities[]`, naming the affected components as
 * name@version. One whose analysis (VEX) says not_affected, resolved, resolved_with_pedigree or
 * false_positive is shown as info with the analysis and the rating it would have had.
 */
export const cycloneDxFormat: ReportFormat<CycloneDx> = {
  label: "CycloneDX",
  schema: ZCycloneDx,
  vulnerabilities: (report) => {
    const roots = report.metadata?.component === undefined ? report.components : [report.metadata.component, ...report.components];
    const names = componentNames(roots);
    return report.vulnerabilities.map((v): Vulnerability => {
      const affected = v.affects.map((a) => names.get(a.ref) ?? a.ref);
      const link = v.source?.url ?? v.advisories?.[0]?.url;
      const rated = cdxSeverity(v.ratings);
      const dismissed = v.analysis?.state !== undefined && DISMISSED_STATES.has(v.analysis.state);
      const analysis = v.analysis === undefined ? "" : `; analysis ${analysisText(v.analysis)}`;
      return {
        severity: dismissed ? "info" : rated,
        message: `CycloneDX: ${v.id} in ${affected.join(", ") || "(no affected component)"}${dismissed ? ` (${v.analysis?.state}${v.analysis?.justification === undefined ? "" : `: ${v.analysis.justification}`})` : ""}`,
        evidence: `${v.id}${v.source?.name === undefined ? "" : ` (${v.source.name})`}${v.description === undefined ? "" : `: ${excerpt(v.description)}`}${dismissed ? `; rated ${rated}` : ""}${analysis}`,
        ...(link === undefined ? {} : { link }),
      };
    });
  },
};
