import type { AgentName, AgentState, RunState, Severity } from "./types.ts";

/**
 * The procedure's success criteria, as the run page shows them live: each item says whether it
 * is met, on what evidence, and where that evidence is. An item is `met` only on evidence that
 * was produced; a check that was not configured or could not run leaves it `missing`, never met.
 */
export const CRITERIA = ["tests", "vulnerabilities", "performance", "accessibility", "rollback", "monitoring", "documentation", "notified"] as const;
export type CriterionId = (typeof CRITERIA)[number];

/** met: evidence says yes; failed: evidence says no; missing: no evidence (not configured, could not run); pending: not yet known. */
export type CriterionStatus = "met" | "failed" | "missing" | "pending";

/** Where a criterion's evidence is on the run page. */
export type EvidenceRef =
  | { kind: "agent"; agent: AgentName }
  | { kind: "analysis" }
  | { kind: "rollback" }
  | { kind: "record" }
  | { kind: "audit" };

export type Criterion = { id: CriterionId; label: string; status: CriterionStatus; detail: string; evidence: EvidenceRef[] };

/** A stored finding, as far as the criteria need it. */
export type CriteriaFinding = { agent: AgentName; check: string | null; severity: Severity; message: string };

/** What the criteria are computed from: the run and what was stored beside it. */
export type CriteriaFacts = {
  state: RunState;
  findings: CriteriaFinding[];
  /** the service has a runbook with incident-response steps */
  hasRunbook: boolean;
  /** notifications that reached people (a chat webhook, not only the server log), oldest first */
  notifications: string[];
  /** versions of the release record written */
  recordVersions: number;
};

/** Sub-checks the criteria look at, by the name their agent reports them under (the runners use these names). */
export const SUB_CHECK = {
  tests: "tests",
  junit: "junit",
  scannerReports: "scanner reports",
  loadTest: "load test",
  rollbackTarget: "rollback target",
  alertRules: "alert rules",
} as const;

/** Canary-analysis triggers whose rollback says the release was too slow or too faulty under real traffic. */
const PERFORMANCE_TRIGGERS = new Set(["error-rate", "error-rate-hold", "latency-p95", "latency-p99", "cpu", "memory", "analysis"]);

/** The info finding an agent files for a sub-check that is not configured (one wording, read back here). */
export function notCheckedMessage(subCheck: string): string {
  return `${subCheck} not checked: not configured`;
}

const LABELS: Record<CriterionId, string> = {
  tests: "All tests passing",
  vulnerabilities: "Zero critical vulnerabilities",
  performance: "Performance within SLA",
  accessibility: "Accessibility validated",
  rollback: "Rollback tested and verified",
  monitoring: "Monitoring and alerting active",
  documentation: "Documentation updated",
  notified: "Team notified",
};

/** The eight criteria for a run, in the procedure's order. */
export function successCriteria(facts: CriteriaFacts): Criterion[] {
  const item = (id: CriterionId, status: CriterionStatus, detail: string, evidence: EvidenceRef[]): Criterion => ({ id, label: LABELS[id], status, detail, evidence });
  return [
    item("tests", ...requiring(facts, "qa-test-engineer", SUB_CHECK.tests, "No test run or report is configured for qa-test-engineer")),
    item("vulnerabilities", ...vulnerabilities(facts)),
    item("performance", ...performance(facts)),
    item("accessibility", ...fromAgent(facts, "accessibility-expert")),
    item("rollback", ...rollback(facts)),
    item("monitoring", ...monitoring(facts)),
    item("documentation", ...documentation(facts)),
    item("notified", ...notified(facts)),
  ];
}

type Verdict = [CriterionStatus, string, EvidenceRef[]];

/** An agent's sub-check reported as not configured: the criterion it stands for has no evidence. */
function notChecked(facts: CriteriaFacts, agent: AgentName, check: string): boolean {
  return facts.findings.some((f) => f.agent === agent && f.check === check && f.message === notCheckedMessage(check));
}

/** The agent's reading, but only if the sub-check this criterion is about actually ran. */
function requiring(facts: CriteriaFacts, agent: AgentName, check: string, why: string): Verdict {
  if (notChecked(facts, agent, check)) return ["missing", why, [{ kind: "agent", agent }]];
  return fromAgent(facts, agent);
}

function agentState(state: RunState, agent: AgentName): AgentState | undefined {
  return state.agents.find((a) => a.agent === agent);
}

/** The plain reading of one agent: passed → met, failed → failed, anything unearned → missing. */
function fromAgent(facts: CriteriaFacts, agent: AgentName): Verdict {
  const a = agentState(facts.state, agent);
  const where: EvidenceRef[] = [{ kind: "agent", agent }];
  if (!a) return ["missing", `${agent} is not part of this run`, []];
  switch (a.status) {
    case "pending":
    case "running":
      return [finished(facts.state) ? "missing" : "pending", a.status === "running" ? `${agent} is running` : `${agent} has not run yet`, where];
    case "passed":
      return ["met", a.summary, where];
    case "failed":
      return ["failed", a.summary, where];
    case "not_configured":
      return ["missing", `${agent} is not configured for ${facts.state.params.environment}`, where];
    case "error":
      return ["missing", `${agent} could not run: ${a.summary}`, where];
    case "cancelled":
      return ["missing", `${agent} was cancelled`, where];
    default: {
      const never: never = a.status;
      return never;
    }
  }
}

function vulnerabilities(facts: CriteriaFacts): Verdict {
  const agent = "security-audit-specialist";
  // A secrets scan or a headers check alone says nothing about known vulnerabilities.
  if (notChecked(facts, agent, SUB_CHECK.scannerReports)) return ["missing", "No scanner report is configured for security-audit-specialist", [{ kind: "agent", agent }]];
  const a = agentState(facts.state, agent);
  const critical = facts.findings.filter((f) => f.agent === agent && f.severity === "critical").length;
  // A failed audit without criticals still meets this item: its high findings block elsewhere.
  if (a && (a.status === "passed" || a.status === "failed")) {
    return critical > 0 ? ["failed", `${critical} critical finding(s): ${a.summary}`, [{ kind: "agent", agent }]] : ["met", `0 critical; ${a.counts.high} high, ${a.counts.medium} medium`, [{ kind: "agent", agent }]];
  }
  return fromAgent(facts, agent);
}

function performance(facts: CriteriaFacts): Verdict {
  const { state } = facts;
  const rolledBackOnMetrics = state.rollback !== null && state.rollback.requestedBy === "engine" && PERFORMANCE_TRIGGERS.has(state.rollback.trigger ?? "");
  if (rolledBackOnMetrics) return ["failed", `Canary analysis rolled it back: ${state.rollback?.reason ?? ""}`, [{ kind: "analysis" }, { kind: "rollback" }]];
  // Asset budgets or pool settings alone do not show the service meets its SLA.
  const [status, detail, evidence] = requiring(facts, "systems-engineer", SUB_CHECK.loadTest, "No load test is configured for systems-engineer");
  if (status !== "met") return [status, detail, evidence];
  const live = state.analysis;
  if (live && live.verdict !== "pass" && live.verdict !== "insufficient") return ["pending", `Load test passed; the canary analysis says ${live.verdict}: ${live.summary}`, [...evidence, { kind: "analysis" }]];
  return ["met", live ? `${detail}; canary: ${live.summary}` : detail, live ? [...evidence, { kind: "analysis" }] : evidence];
}

/** A devops sub-check's own reading: ran clean, found something, or was not configured. */
function devopsSubCheck(facts: CriteriaFacts, check: string, what: string): Verdict {
  const agent = "devops-engineer";
  const where: EvidenceRef[] = [{ kind: "agent", agent }];
  if (notChecked(facts, agent, check)) return ["missing", `${what} is not configured for devops-engineer`, where];
  const bad = facts.findings.find((f) => f.agent === agent && f.check === check && (f.severity === "critical" || f.severity === "high"));
  const a = agentState(facts.state, agent);
  if (bad) return ["failed", bad.message, where];
  if (a && (a.status === "passed" || a.status === "failed")) return ["met", `${what} checked by devops-engineer`, where];
  return fromAgent(facts, agent);
}

function rollback(facts: CriteriaFacts): Verdict {
  const rb = facts.state.rollback;
  if (rb) {
    const revert = rb.steps.find((s) => s.kind === "revert_traffic");
    if (revert?.status === "done") return ["met", `Rolled back and verified: ${revert.detail}`, [{ kind: "rollback" }]];
    if (revert?.status === "failed") return ["failed", `Traffic revert failed: ${revert.detail}`, [{ kind: "rollback" }]];
    if (revert?.status === "skipped") return ["met", `Rolled back before traffic moved: ${revert.detail}`, [{ kind: "rollback" }]];
    return ["pending", "Rolling back…", [{ kind: "rollback" }]];
  }
  return devopsSubCheck(facts, SUB_CHECK.rollbackTarget, "The baseline's reachability (rollback target)");
}

function monitoring(facts: CriteriaFacts): Verdict {
  const [status, detail, evidence] = devopsSubCheck(facts, SUB_CHECK.alertRules, "Error-rate and latency alert rules");
  if (status !== "met") return [status, detail, evidence];
  if (!facts.state.params.analysis) return ["missing", `${detail}; but no metric source watches this run's canary`, evidence];
  return ["met", `${detail}; canary analysis watching error rate and latency`, [...evidence, { kind: "analysis" }]];
}

function documentation(facts: CriteriaFacts): Verdict {
  if (!facts.hasRunbook) return ["missing", "The service has no runbook", []];
  if (facts.recordVersions > 0) return ["met", `Runbook present; release record written (${facts.recordVersions} version${facts.recordVersions === 1 ? "" : "s"})`, [{ kind: "record" }]];
  return [finished(facts.state) ? "missing" : "pending", "Runbook present; the release record is written when the run ends", [{ kind: "record" }]];
}

function notified(facts: CriteriaFacts): Verdict {
  const sent = facts.notifications.length;
  if (sent > 0) return ["met", `${sent} notification${sent === 1 ? "" : "s"} delivered, latest: ${facts.notifications[sent - 1]}`, [{ kind: "audit" }]];
  // Before the rollout nothing has been announced yet; after it, silence means no channel reached anyone.
  if (facts.state.phase === "pre_deploy" || facts.state.phase === "build" || facts.state.phase === "approval") return ["pending", "The team is notified when the rollout starts", []];
  return ["missing", "No notification reached the team: configure a notification webhook (FLIGHTDECK_NOTIFY_WEBHOOK_URL)", []];
}

function finished(state: RunState): boolean {
  return state.finishedAt !== null;
}
