import { describe, expect, it } from "vitest";
import { notCheckedMessage, successCriteria, SUB_CHECK, type CriteriaFacts, type CriteriaFinding, type CriterionId } from "./success-criteria.ts";
import { actors, atApprovalGate, createRun, feed, finished, inRollout } from "./testing.ts";
import { ENGINE_ACTOR, type RunState } from "./types.ts";
import { analysisFor } from "./policy.ts";

function facts(state: RunState, more: Partial<CriteriaFacts> = {}): CriteriaFacts {
  return { state, findings: [], hasRunbook: true, notifications: [], recordVersions: 0, ...more };
}
function statusOf(f: CriteriaFacts): Record<CriterionId, string> {
  return Object.fromEntries(successCriteria(f).map((c) => [c.id, c.status])) as Record<CriterionId, string>;
}
const devops = (check: string, severity: CriteriaFinding["severity"], message: string): CriteriaFinding => ({ agent: "devops-engineer", check, severity, message });

describe("success criteria", () => {
  it("a new run: every item is pending, none met on no evidence", () => {
    const s = statusOf(facts(feed(createRun(), [{ kind: "start" }]).state));
    expect(Object.values(s).every((v) => v === "pending")).toBe(true);
  });

  it("clean checks, alert rules and rollback target checked, analysis on, team told: all eight met once the record is written", () => {
    const run = inRollout({ analysis: analysisFor("production") });
    const s = statusOf(facts(run, { recordVersions: 1, notifications: ["checkout 1.5.0 is rolling out"] }));
    expect(s).toEqual({ tests: "met", vulnerabilities: "met", performance: "met", accessibility: "met", rollback: "met", monitoring: "met", documentation: "met", notified: "met" });
  });

  it("a check that was not configured or could not run leaves its item missing, never met", () => {
    const gate = atApprovalGate({}, { preDeploy: "not_configured", build: "error" });
    const s = statusOf(facts(gate));
    expect(s.tests).toBe("missing");
    expect(s.vulnerabilities).toBe("missing");
    expect(s.performance).toBe("missing");
    expect(s.accessibility).toBe("missing");
    const detail = successCriteria(facts(gate)).find((c) => c.id === "accessibility")?.detail;
    expect(detail).toMatch(/could not run/);
  });

  it("a critical vulnerability fails its item; a failed audit with only high findings still has zero criticals", () => {
    const withCritical = feed(createRun(), [{ kind: "start" }, finished("pre_deploy", "security-audit-specialist", "failed", { critical: 1 }, "1 critical")]).state;
    const critical: CriteriaFinding = { agent: "security-audit-specialist", check: "scanner reports", severity: "critical", message: "lodash: prototype pollution" };
    expect(statusOf(facts(withCritical, { findings: [critical] })).vulnerabilities).toBe("failed");
    const highOnly = feed(createRun(), [{ kind: "start" }, finished("pre_deploy", "security-audit-specialist", "failed", { high: 2 }, "2 high")]).state;
    expect(successCriteria(facts(highOnly)).find((c) => c.id === "vulnerabilities")).toMatchObject({ status: "met", detail: "0 critical; 2 high, 0 medium" });
  });

  it("rollback and monitoring read the devops sub-checks: not configured → missing, a high finding → failed", () => {
    const gate = atApprovalGate();
    const notConfigured = [devops(SUB_CHECK.rollbackTarget, "info", notCheckedMessage(SUB_CHECK.rollbackTarget)), devops(SUB_CHECK.alertRules, "info", notCheckedMessage(SUB_CHECK.alertRules))];
    expect(statusOf(facts(gate, { findings: notConfigured }))).toMatchObject({ rollback: "missing", monitoring: "missing" });
    const broken = [devops(SUB_CHECK.rollbackTarget, "high", "rollback target not reachable"), devops(SUB_CHECK.alertRules, "high", "no latency alert")];
    const items = successCriteria(facts(gate, { findings: broken }));
    expect(items.find((c) => c.id === "rollback")).toMatchObject({ status: "failed", detail: "rollback target not reachable", evidence: [{ kind: "agent", agent: "devops-engineer" }] });
    expect(items.find((c) => c.id === "monitoring")).toMatchObject({ status: "failed", detail: "no latency alert" });
  });

  it("alert rules without a metric source watching the canary are not 'monitoring active'", () => {
    const gate = atApprovalGate({ analysis: null });
    expect(statusOf(facts(gate)).monitoring).toBe("missing");
  });

  it("a rollback is verified once traffic is back on the baseline", () => {
    const run = inRollout();
    const rolled = feed(run, [{ kind: "rollback", actor: actors.manager, reason: "manual test" }]).state;
    expect(statusOf(facts(rolled)).rollback).toBe("pending");
    const reverted = feed(rolled, [{ kind: "rollbackStepFinished", step: "revert_traffic", status: "done", detail: "canary at 0%, verified" }]).state;
    expect(successCriteria(facts(reverted)).find((c) => c.id === "rollback")).toMatchObject({ status: "met", detail: "Rolled back and verified: canary at 0%, verified" });
  });

  it("a finished run without a record or a runbook says documentation is missing", () => {
    const done = feed(atApprovalGate(), [{ kind: "reject", actor: actors.manager, reason: "not today" }]).state;
    expect(statusOf(facts(done, { recordVersions: 0 })).documentation).toBe("missing");
    expect(statusOf(facts(done, { hasRunbook: false, recordVersions: 1 })).documentation).toBe("missing");
    expect(statusOf(facts(done)).notified).toBe("missing");
  });

  it("an agent that passed without running the part a criterion is about leaves it missing", () => {
    const gate = atApprovalGate();
    const skipped = (agent: CriteriaFinding["agent"], check: string): CriteriaFinding => ({ agent, check, severity: "info", message: notCheckedMessage(check) });
    const items = successCriteria(facts(gate, { findings: [skipped("qa-test-engineer", SUB_CHECK.tests), skipped("security-audit-specialist", SUB_CHECK.scannerReports), skipped("systems-engineer", SUB_CHECK.loadTest)] }));
    expect(items.find((c) => c.id === "tests")).toMatchObject({ status: "missing", detail: "No test run or report is configured for qa-test-engineer" });
    expect(items.find((c) => c.id === "vulnerabilities")).toMatchObject({ status: "missing", detail: "No scanner report is configured for security-audit-specialist" });
    expect(items.find((c) => c.id === "performance")).toMatchObject({ status: "missing", detail: "No load test is configured for systems-engineer" });
  });

  it("only a rollback decided on the canary's metrics fails performance, not one from post-deploy verification", () => {
    const run = inRollout();
    const byAnalysis = feed(run, [{ kind: "rollback", actor: ENGINE_ACTOR, reason: "Canary p95 regressed", trigger: "latency-p95" }]).state;
    expect(statusOf(facts(byAnalysis)).performance).toBe("failed");
    const byVerification = feed(run, [{ kind: "rollback", actor: ENGINE_ACTOR, reason: "Post-deploy verification failed", trigger: "post-deploy-verification" }]).state;
    expect(statusOf(facts(byVerification)).performance).toBe("met");
  });
});
