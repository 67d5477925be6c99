import type { AgentState, Blocker, Compliance, EnvironmentName, Policy, Risk, Severity } from "./types.ts";
import { businessMetricTrigger, errorRateTrigger, gaugeTrigger, latencyTrigger, type AnalysisConfig } from "./analysis/triggers.ts";
import { SEVERITIES } from "./types.ts";

/** Bumped whenever the rules below change, so a run records which rules it was held to. */
export const POLICY_VERSION = 1;

/**
 * Policy from risk, compliance and environment (DESIGN.md "Policy: risk and compliance").
 * Pure data: stored with the run and shown in the UI.
 */
export function policyFor(risk: Risk, compliance: Compliance, environment: EnvironmentName): Policy {
  const rules: string[] = [];
  let blockingSeverity: Severity = "critical";
  if (compliance === "sox") rules.push("Separation of duties: the run's creator cannot approve it", "Audit trail exportable");
  if (compliance === "pci" || compliance === "hipaa") {
    blockingSeverity = "high";
    rules.push("Zero high or critical findings", "TLS ≥ 1.2 evidence required");
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
    complianceRules: rules,
  };
}

function atOrAbove(counts: AgentState["counts"], floor: Severity): number {
  const limit = SEVERITIES.indexOf(floor);
  return SEVERITIES.slice(0, limit + 1).reduce((n, s) => n + counts[s], 0);
}

/**
 * What stops a gate, given the agents' results. A check that did not earn a pass (error,
 * not configured) is never silently accepted: it blocks, waivable with a reason, except where
 * policy lets it through (unconfigured checks in staging are reported, not blocking).
 */
export function blockersFor(agents: AgentState[], policy: Policy): Blocker[] {
  const blockers: Blocker[] = [];
  for (const a of agents) {
    const severe = atOrAbove(a.counts, policy.blockingSeverity);
    if (severe > 0) {
      blockers.push({
        id: `findings:${a.agent}`,
        message: `${a.agent}: ${severe} finding(s) at ${policy.blockingSeverity} or above`,
        waivable: false,
        waived: null,
      });
    } else if (a.status === "failed") {
      blockers.push({ id: `failed:${a.agent}`, message: `${a.agent} failed: ${a.summary}`, waivable: false, waived: null });
    } else if (a.status === "error") {
      blockers.push({ id: `error:${a.agent}`, message: `${a.agent} could not run: ${a.summary}`, waivable: true, waived: null });
    } else if (a.status === "not_configured" && policy.notConfiguredBlocks) {
      blockers.push({ id: `not_configured:${a.agent}`, message: `${a.agent} has no checks configured`, waivable: true, waived: null });
    } else if (a.status === "cancelled") {
      blockers.push({ id: `cancelled:${a.agent}`, message: `${a.agent} was cancelled`, waivable: true, waived: null });
    }
  }
  return blockers;
}

/**
 * The canary analysis a run on an automated router gets. Production keeps the procedure's
 * defaults (a step must be able to catch 2% errors before promotion: ~2,100 canary requests);
 * staging sizes its minimum sample to catch 5% errors or 15% slow requests (~170 requests), so
 * a rehearsal finishes in minutes.
 */
export function analysisFor(environment: EnvironmentName, guardrails: { businessMetric?: { name: string; allowedDropPct: number } } = {}): AnalysisConfig {
  const staging = environment === "staging";
  const business = guardrails.businessMetric;
  return {
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
}
