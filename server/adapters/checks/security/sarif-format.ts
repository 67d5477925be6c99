import { z } from "zod";
import type { Severity } from "../../../core/types.ts";
import { excerpt } from "../../report-text.ts";
import { fromScore, type ReportFormat } from "./report-formats.ts";

// SARIF 2.1.0 (OASIS), as CodeQL, Semgrep, Trivy, gitleaks and others write it.

const ZSarifLevel = z.enum(["none", "note", "warning", "error"]);

const ZSarifRule = z.object({
  id: z.string(),
  name: z.string().optional(),
  shortDescription: z.object({ text: z.string() }).optional(),
  helpUri: z.string().optional(),
  defaultConfiguration: z.object({ level: ZSarifLevel.optional() }).optional(),
  properties: z.object({ "security-severity": z.union([z.string(), z.number()]).optional() }).optional(),
});

/** A tool component (§3.19): the driver or an extension, e.g. CodeQL's query pack `codeql/javascript-queries`. */
const ZToolComponent = z.object({ name: z.string(), guid: z.string().optional(), rules: z.array(ZSarifRule).default([]) });

/** §3.54 toolComponentReference: `index` points into `tool.extensions`; the driver is named by `name` or `guid`. */
const ZToolComponentReference = z.object({ name: z.string().optional(), index: z.number().int().optional(), guid: z.string().optional() });

const ZSarifResult = z.object({
  ruleId: z.string().optional(),
  /** §3.27.6: index into the rules of the component `rule.toolComponent` names (the driver when absent) */
  ruleIndex: z.number().int().optional(),
  /** §3.52 reportingDescriptorReference */
  rule: z.object({ id: z.string().optional(), index: z.number().int().optional(), toolComponent: ZToolComponentReference.optional() }).optional(),
  level: ZSarifLevel.optional(),
  /** "fail" (the default) is a finding; pass, open, review, notApplicable and informational are not */
  kind: z.string().optional(),
  // Required by §3.27.11, yet tools leave it out of the results that are not findings (kind "pass").
  message: z.object({ text: z.string().optional(), markdown: z.string().optional() }).optional(),
  /** §3.27.24: new, unchanged, updated, or absent (in the baseline, gone from this run) */
  baselineState: z.string().optional(),
  locations: z
    .array(
      z.object({
        physicalLocation: z
          .object({ artifactLocation: z.object({ uri: z.string().optional() }).optional(), region: z.object({ startLine: z.number().int().optional() }).optional() })
          .optional(),
      }),
    )
    .optional(),
  suppressions: z.array(z.object({ kind: z.string().optional(), status: z.string().optional() })).optional(),
});

const ZSarif = z.object({
  version: z.literal("2.1.0", { error: 'expected "2.1.0"' }),
  runs: z.array(z.object({ tool: z.object({ driver: ZToolComponent, extensions: z.array(ZToolComponent).default([]) }), results: z.array(ZSarifResult).default([]) })),
});
type Sarif = z.infer<typeof ZSarif>;
type SarifTool = Sarif["runs"][number]["tool"];
type SarifRule = z.infer<typeof ZSarifRule>;
type SarifResult = z.infer<typeof ZSarifResult>;
type ToolComponent = z.infer<typeof ZToolComponent>;

const LEVEL_SEVERITY: Record<z.infer<typeof ZSarifLevel>, Severity> = { error: "high", warning: "medium", note: "low", none: "info" };

function sarifSeverity(result: SarifResult, rule: SarifRule | undefined): Severity {
  const score = Number(rule?.properties?.["security-severity"] ?? Number.NaN);
  if (Number.isFinite(score)) return fromScore(score);
  // SARIF §3.27.10: without a level of its own a result takes the rule's default, else "warning".
  return LEVEL_SEVERITY[result.level ?? rule?.defaultConfiguration?.level ?? "warning"];
}

/** The component a result's rule lives in (§3.54): none named = the driver; an index = an extension; else by guid or name. */
function ruleComponent(tool: SarifTool, ref: z.infer<typeof ZToolComponentReference> | undefined): ToolComponent | undefined {
  if (ref === undefined) return tool.driver;
  if (ref.index !== undefined) return tool.extensions[ref.index];
  const components = [tool.driver, ...tool.extensions];
  return components.find((c) => ref.guid !== undefined && c.guid === ref.guid) ?? components.find((c) => ref.name !== undefined && c.name === ref.name);
}

/**
 * The rule a result reports (§3.52): by index within its tool component, else by id. CodeQL keeps
 * its rules in `tool.extensions[]` (one per query pack) and leaves `driver.rules` empty; a result
 * without a component reference is looked up by id in the driver first, then in every extension.
 */
function sarifRule(result: SarifResult, tool: SarifTool): SarifRule | undefined {
  const named = result.rule?.toolComponent;
  const component = ruleComponent(tool, named);
  const index = result.rule?.index ?? result.ruleIndex;
  const byIndex = index === undefined ? undefined : component?.rules[index];
  if (byIndex !== undefined) return byIndex;
  const id = result.rule?.id ?? result.ruleId;
  if (id === undefined) return undefined;
  const searched = named === undefined ? [tool.driver, ...tool.extensions] : component === undefined ? [] : [component];
  for (const c of searched) {
    const rule = c.rules.find((r) => r.id === id);
    if (rule !== undefined) return rule;
  }
  return undefined;
}

// As the SARIF SDK reads §3.27.23: suppressed when at least one suppression is recorded and none of
// them is under review or rejected (a suppression without a status was accepted by whoever wrote it).
function suppressed(result: SarifResult): boolean {
  const suppressions = result.suppressions ?? [];
  return suppressions.length > 0 && suppressions.every((s) => s.status === undefined || s.status === "accepted");
}

/** A live finding: a failing result (§3.27.9), still present against the baseline, not suppressed. */
function live(result: SarifResult): boolean {
  return (result.kind ?? "fail") === "fail" && result.baselineState !== "absent" && !suppressed(result);
}

/**
 * One vulnerability per live result; severity from its rule's `security-severity` (the rule found
 * in the driver or an extension), else the result's level.
 */
export const sarifFormat: ReportFormat<Sarif> = {
  label: "SARIF",
  schema: ZSarif,
  vulnerabilities: (report) =>
    report.runs.flatMap((run) =>
      run.results.filter(live).map((result) => {
        const rule = sarifRule(result, run.tool);
        const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id ?? "(no rule id)";
        const physical = result.locations?.[0]?.physicalLocation;
        const line = physical?.region?.startLine;
        const where = physical?.artifactLocation?.uri === undefined ? "(no location)" : `${physical.artifactLocation.uri}${line === undefined ? "" : `:${line}`}`;
        const title = rule?.shortDescription?.text ?? rule?.name ?? ruleId;
        return {
          severity: sarifSeverity(result, rule),
          message: `${run.tool.driver.name}: ${excerpt(title, 160)} in ${where}`,
          evidence: `rule ${ruleId} at ${where}: ${excerpt(result.message?.text ?? result.message?.markdown ?? "(no message)")}`,
          ...(rule?.helpUri === undefined ? {} : { link: rule.helpUri }),
        };
      }),
    ),
};
