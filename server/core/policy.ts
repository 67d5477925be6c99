import type { Compliance, EnvironmentName, Policy, Risk, Severity } from "./types.ts";
import { businessMetricTrigger, errorRateTrigger, gaugeTrigger, latencyTrigger, type AnalysisConfig } from "./analysis/triggers.ts";
import { SUB_CHECK } from "./success-criteria.ts";
import { withAnalysisPolicy, type AnalysisPolicy } from "./analysis/analysis-policy.ts";
import { SEVERITIES } from "./types.ts";

/**
 * Bumped whenever the rules below change, so a run records which rules it was held to.
 * v2: runners report and core/judge.ts judges; the environment may set the blocking severity.
 */
export const POLICY_VERSION = 2;

/** The blocking severities an environment may choose (info and low findings never block). */
export const GATE_BLOCKING_SEVERITIES = ["critical", "high", "medium"] as const satisfies readonly Severity[];

/** The stored setting, read defensively: anything else is the procedure's default. */
export function parseBlockingSeverity(value: string | null | undefined): Severity | null {
  return (GATE_BLOCKING_SEVERITIES as readonly string[]).includes(value ?? "") ? (value as Severity) : null;
}

/** What an environment's settings add to the procedure's policy (Settings → gate policy). */
export type GatePolicySettings = {
  /** findings at or above this block; null = the procedure's default (critical) */
  blockingSeverity: Severity | null;
};

/** The stricter (more findings block) of two blocking severities. */
function stricter(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

/**
 * Policy from risk, compliance and environment (DESIGN.md "Policy: risk and compliance").
 * Pure data: stored with the run and shown in the UI. The blocking severity is the stricter of
 * the procedure's (critical; high under PCI DSS or HIPAA) and the environment's own setting.
 */
export function policyFor(risk: Risk, compliance: Compliance, environment: EnvironmentName, gate: GatePolicySettings = { blockingSeverity: null }): Policy {
  const rules: string[] = [];
  let blockingSeverity: Severity = "critical";
  let blockingSeverityFrom = "the procedure's default";
  if (compliance === "sox") rules.push("Separation of duties: the run's creator cannot approve it", "Audit trail exportable");
  if (compliance === "pci" || compliance === "hipaa") {
    blockingSeverity = "high";
    blockingSeverityFrom = compliance === "pci" ? "PCI DSS" : "HIPAA";
    rules.push("Zero high or critical findings", "TLS ≥ 1.2 evidence required");
  }
  if (gate.blockingSeverity && stricter(blockingSeverity, gate.blockingSeverity) !== blockingSeverity) {
    blockingSeverity = gate.blockingSeverity;
    blockingSeverityFrom = `${environment}'s gate policy`;
  }
  if (compliance === "gdpr") rules.push("Data-migration review before approval");
  if (risk === "critical") rules.push("Two approvers", "Hold times doubled");
  return {
    version: POLICY_VERSION,
    // Staging at low risk needs no approver; production always needs one; critical needs two.
    requiredApprovals: risk === "critical" ? 2 : environment === "staging" && risk === "low" ? 0 : 1,
    holdMultiplier: risk === "critical" ? 2 : 1,
    separationOfDuties: compliance === "sox",
    notConfiguredBlocks: environment === "production",
    blockingSeverity,
    blockingSeverityFrom,
    // A release with failing tests does not ship, whatever the floor for other findings.
    blockingChecks: [SUB_CHECK.tests, SUB_CHECK.junit],
    complianceRules: rules,
  };
}

/**
 * The canary analysis a run on an automated router gets. Production keeps the procedure's
 * defaults (a step must be able to catch 2% errors before promotion: ~2,100 canary requests);
 * staging sizes its minimum sample to catch 5% errors or 15% slow requests (~170 requests), so
 * a rehearsal finishes in minutes. The environment's analysis policy (Settings), when set, replaces
 * the confidence level and thresholds; null keeps the procedure's.
 */
export function analysisFor(
  environment: EnvironmentName,
  guardrails: { businessMetric?: { name: string; allowedDropPct: number } } = {},
  policy: AnalysisPolicy | null = null,
): AnalysisConfig {
  const staging = environment === "staging";
  const business = guardrails.businessMetric;
  const procedure: AnalysisConfig = {
    alpha: 0.01,
    triggers: [
      errorRateTrigger(staging ? { detectAtLeast: 0.05 } : {}),
      latencyTrigger(0.95, staging ? { detectAtLeast: 0.15 } : {}),
      latencyTrigger(0.99, staging ? { detectAtLeast: 0.05 } : {}),
      gaugeTrigger("cpu"),
      gaugeTrigger("memory"),
      { kind: "securitySignal" },
      ...(business ? [businessMetricTrigger(business.name, { allowedDrop: business.allowedDropPct / 100 })] : []),
    ],
  };
  return policy ? withAnalysisPolicy(procedure, policy) : procedure;
}
