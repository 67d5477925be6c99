import { z } from "zod";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, collectYamlFiles, isRecord, readYamlDocuments, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

// Prometheus' rule file format: groups of alerting rules (alert + expr) and recording rules (record + expr).
const ZRuleFile = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(z.object({ alert: z.string().optional(), record: z.string().optional(), expr: z.union([z.string(), z.number()]) })).default([]),
    }),
  ),
});

/** An alerting rule and the file it came from. */
export type AlertRule = { alert: string; expr: string; file: string };

/**
 * The signals a release must be watched on: the procedure rolls back on error rate and latency,
 * so both need an alert. Error rate: 5xx status codes (`5..`, `5xx`, `500`) or an error/failure
 * counter; latency: a latency or duration metric, or a histogram quantile.
 */
export const REQUIRED_SIGNALS = [
  { name: "error-rate", pattern: /(?:^|[^A-Za-z0-9.])5(?:\.\.|\.\*|xx|\d\d)(?![A-Za-z0-9])|errors?|fail/i },
  { name: "latency", pattern: /latency|duration|histogram_quantile/i },
] as const;

/** Requires at least one alerting rule per required signal in the Prometheus rule files. */
export async function checkAlertRules(paths: readonly string[], ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const files = await collectYamlFiles(paths, "alert rule");
  const alerts: AlertRule[] = [];
  for (const file of files) alerts.push(...(await readAlertRules(file, ctx.signal)));
  await ctx.log(`${alerts.length} alerting rule(s) in ${files.length} file(s)`);

  const findings: CheckFinding[] = [];
  for (const signal of REQUIRED_SIGNALS) {
    const match = alerts.find((a) => signal.pattern.test(a.expr));
    if (match !== undefined) {
      await ctx.log(`${signal.name} alert: ${match.alert} (${match.file})`);
      continue;
    }
    findings.push({
      severity: "high",
      message: `no ${signal.name} alert: no alerting rule's expr matches ${signal.pattern.source}`,
      evidence: `${alerts.length} alerting rule(s) (${alerts.map((a) => a.alert).join(", ") || "none"}) in ${files.join(", ")}`,
    });
  }
  return { findings, checked: `${alerts.length} alert rule(s) in ${files.length} file(s)` };
}

/** The alerting rules of one rule file; a file that is not a valid rule file stops the check. */
async function readAlertRules(file: string, signal: AbortSignal): Promise<AlertRule[]> {
  const alerts: AlertRule[] = [];
  for (const { value, where } of await readYamlDocuments(file, "alert rule file", signal)) {
    // The Prometheus Operator wraps the same groups in a PrometheusRule object's spec.
    const parsed = ZRuleFile.safeParse(isRecord(value) && value.kind === "PrometheusRule" ? value.spec : value);
    if (!parsed.success) throw new CannotRunError(`not a Prometheus rule file: ${where}: ${z.prettifyError(parsed.error)}`);
    for (const group of parsed.data.groups) {
      for (const rule of group.rules) if (rule.alert !== undefined) alerts.push({ alert: rule.alert, expr: String(rule.expr), file });
    }
  }
  return alerts;
}
