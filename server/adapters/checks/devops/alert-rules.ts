import { z } from "zod";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, collectYamlFiles, isRecord, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { readBoundedYaml, RULE_FILE_LIMITS, type YamlLimits } from "./bounded-yaml.ts";
import { classifyAlertExpr, type AlertSignal, type ExprClassification } from "./promql-signals.ts";

// Prometheus' rule file format: groups of alerting rules (alert + expr) and recording rules (record + expr).
const ZRuleFile = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(z.object({ alert: z.string().optional(), record: z.string().optional(), expr: z.union([z.string(), z.number()]) })).default([]),
    }),
  ),
});

/** A rule of a Prometheus rule file and where it came from. */
export type PrometheusRule = {
  /** `alert` for alerting rules, `record` for recording rules */
  type: "alert" | "record";
  /** the alert's name, or the series a recording rule writes */
  name: string;
  expr: string;
  group: string;
  file: string;
};

/**
 * The signals a release must be watched on: the procedure rolls back on error rate and latency,
 * so both need an alert. What counts is decided from the parsed expression (promql-signals.ts).
 */
export const REQUIRED_SIGNALS: readonly { signal: AlertSignal; counts: string }[] = [
  { signal: "error-rate", counts: "a rate of request counters filtered on an error status (code=~\"5..\") or of an error/failure counter (*_errors_total)" },
  { signal: "latency", counts: "histogram_quantile over a *_duration*/*_latency* histogram, a quantile of such a summary, or its _sum / _count average" },
];

/**
 * Requires at least one alerting rule per required signal in the Prometheus rule files. A rule
 * whose expression does not parse is a finding of its own: Prometheus refuses the whole file.
 */
export async function checkAlertRules(paths: readonly string[], ctx: SubCheckContext, limits: YamlLimits = RULE_FILE_LIMITS): Promise<SubCheckOutcome> {
  const files = await collectYamlFiles(paths, "alert rule");
  const rules: PrometheusRule[] = [];
  for (const file of files) rules.push(...(await readRules(file, ctx.signal, limits)));
  const alerts = rules.filter((r) => r.type === "alert");
  const recordings = new Map(rules.filter((r) => r.type === "record").map((r) => [r.name, r.expr]));
  await ctx.log(`${alerts.length} alerting rule(s) and ${recordings.size} recording rule(s) in ${files.length} file(s)`);

  const findings: CheckFinding[] = [];
  const watching = new Map<AlertSignal, { alert: PrometheusRule; because: string }>();
  for (const rule of rules) {
    const classified = classify(rule, recordings, findings);
    if (!classified.parsed) {
      findings.push({
        severity: "high",
        message: `${rule.type === "alert" ? "alerting" : "recording"} rule ${rule.name} does not parse: ${classified.problem}`,
        evidence: `group ${rule.group} in ${rule.file}: expr ${JSON.stringify(shorten(rule.expr))}; Prometheus refuses to load the whole file`,
      });
      continue;
    }
    if (rule.type !== "alert") continue;
    for (const { signal, because } of classified.signals) if (!watching.has(signal)) watching.set(signal, { alert: rule, because });
  }

  for (const { signal, counts } of REQUIRED_SIGNALS) {
    const match = watching.get(signal);
    if (match !== undefined) {
      await ctx.log(`${signal} alert: ${match.alert.name} (${match.because}) in ${match.alert.file}`);
      continue;
    }
    findings.push({
      severity: "high",
      message: `no ${signal} alert: no alerting rule's expr measures ${counts}`,
      evidence: `${alerts.length} alerting rule(s) (${alerts.map((a) => a.name).join(", ") || "none"}) in ${files.join(", ")}`,
    });
  }
  return { findings, checked: `${alerts.length} alert rule(s) in ${files.length} file(s)` };
}

// Whatever an expression holds, the release manager learns which rule stopped the check.
function classify(rule: PrometheusRule, recordings: ReadonlyMap<string, string>, findings: CheckFinding[]): ExprClassification {
  try {
    return classifyAlertExpr(rule.expr, recordings);
  } catch (e) {
    throw new CannotRunError(`could not read the expression of ${rule.type} rule ${rule.name} in ${rule.file}: unexpected failure (${e instanceof Error ? e.name : typeof e})`, findings);
  }
}

/** The rules of one rule file; a file that is not a valid rule file stops the check. */
async function readRules(file: string, signal: AbortSignal, limits: YamlLimits): Promise<PrometheusRule[]> {
  const rules: PrometheusRule[] = [];
  for (const { value, where } of await readBoundedYaml(file, "alert rule file", signal, limits)) {
    // The Prometheus Operator wraps the same groups in a PrometheusRule object's spec.
    const parsed = ZRuleFile.safeParse(isRecord(value) && value.kind === "PrometheusRule" ? value.spec : value);
    if (!parsed.success) throw new CannotRunError(`not a Prometheus rule file: ${where}: ${z.prettifyError(parsed.error)}`);
    for (const group of parsed.data.groups) {
      for (const rule of group.rules) {
        const expr = String(rule.expr);
        if (rule.alert !== undefined) rules.push({ type: "alert", name: rule.alert, expr, group: group.name, file });
        else if (rule.record !== undefined) rules.push({ type: "record", name: rule.record, expr, group: group.name, file });
      }
    }
  }
  return rules;
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
