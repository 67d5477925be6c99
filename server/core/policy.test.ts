import { describe, expect, it } from "vitest";
import { POLICY_VERSION, blockersFor, policyFor } from "./policy.ts";
import type { AgentState, AgentStatus, Policy, SeverityCounts } from "./types.ts";

const counts = (some: Partial<SeverityCounts> = {}): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0, ...some });
const agent = (status: AgentStatus, found: Partial<SeverityCounts> = {}, summary = "summary"): AgentState => ({
  phase: "build",
  agent: "systems-engineer",
  status,
  summary,
  counts: counts(found),
});

describe("policyFor", () => {
  it.each([
    ["staging", "low", 0],
    ["staging", "medium", 1],
    ["staging", "high", 1],
    ["staging", "critical", 2],
    ["production", "low", 1],
    ["production", "medium", 1],
    ["production", "high", 1],
    ["production", "critical", 2],
  ] as const)("%s at %s risk needs %i approver(s)", (environment, risk, approvers) => {
    expect(policyFor(risk, "none", environment).requiredApprovals).toBe(approvers);
  });

  it("doubles holds and asks for two approvers at critical risk, and says so", () => {
    const policy = policyFor("critical", "none", "production");
    expect(policy).toMatchObject({ holdMultiplier: 2, requiredApprovals: 2 });
    expect(policy.complianceRules).toEqual(["Two approvers", "Hold times doubled"]);
    expect(policyFor("high", "none", "production").holdMultiplier).toBe(1);
  });

  it("blocks on unconfigured checks in production only", () => {
    expect(policyFor("low", "none", "production").notConfiguredBlocks).toBe(true);
    expect(policyFor("critical", "pci", "staging").notConfiguredBlocks).toBe(false);
  });

  it("gives a plain release the defaults: critical findings block, no extra rules", () => {
    expect(policyFor("medium", "none", "production")).toEqual({
      version: POLICY_VERSION,
      requiredApprovals: 1,
      holdMultiplier: 1,
      separationOfDuties: false,
      notConfiguredBlocks: true,
      blockingSeverity: "critical",
      complianceRules: [],
    } satisfies Policy);
  });

  it("separates duties under SOX only", () => {
    const sox = policyFor("medium", "sox", "production");
    expect(sox.separationOfDuties).toBe(true);
    expect(sox.complianceRules).toEqual(["Separation of duties: the run's creator cannot approve it", "Audit trail exportable"]);
    for (const c of ["none", "gdpr", "hipaa", "pci"] as const) expect(policyFor("medium", c, "production").separationOfDuties).toBe(false);
  });

  it.each(["pci", "hipaa"] as const)("%s blocks on high findings and asks for TLS evidence", (compliance) => {
    const policy = policyFor("low", compliance, "staging");
    expect(policy.blockingSeverity).toBe("high");
    expect(policy.complianceRules).toEqual(["Zero high or critical findings", "TLS ≥ 1.2 evidence required"]);
  });

  it("asks for a data-migration review under GDPR without changing the blocking severity", () => {
    const policy = policyFor("medium", "gdpr", "production");
    expect(policy.complianceRules).toEqual(["Data-migration review before approval"]);
    expect(policy.blockingSeverity).toBe("critical");
  });

  it("lists compliance rules before risk rules", () => {
    expect(policyFor("critical", "sox", "production").complianceRules).toEqual([
      "Separation of duties: the run's creator cannot approve it",
      "Audit trail exportable",
      "Two approvers",
      "Hold times doubled",
    ]);
  });
});

describe("blockersFor", () => {
  const production = policyFor("medium", "none", "production");
  const staging = policyFor("medium", "none", "staging");
  const pci = policyFor("medium", "pci", "production");

  it("lets a clean pass through", () => {
    expect(blockersFor([agent("passed", { medium: 3, low: 9, info: 20 })], production)).toEqual([]);
  });

  it("blocks unwaivably on findings at or above the policy's severity, counting all of them", () => {
    expect(blockersFor([agent("passed", { critical: 1, high: 2 })], production)).toEqual([
      { id: "findings:systems-engineer", message: "systems-engineer: 1 finding(s) at critical or above", waivable: false, waived: null },
    ]);
    expect(blockersFor([agent("passed", { critical: 1, high: 2, medium: 5 })], pci)).toEqual([
      { id: "findings:systems-engineer", message: "systems-engineer: 3 finding(s) at high or above", waivable: false, waived: null },
    ]);
  });

  it("lets high findings through unless the framework forbids them", () => {
    expect(blockersFor([agent("passed", { high: 4 })], production)).toEqual([]);
    expect(blockersFor([agent("passed", { high: 4 })], pci)).toHaveLength(1);
  });

  it("reports findings rather than the failure when an agent has both, once per agent", () => {
    expect(blockersFor([agent("failed", { critical: 1 })], production).map((b) => b.id)).toEqual(["findings:systems-engineer"]);
  });

  it("blocks unwaivably on a failed check", () => {
    expect(blockersFor([agent("failed", {}, "12 tests failed")], staging)).toEqual([
      { id: "failed:systems-engineer", message: "systems-engineer failed: 12 tests failed", waivable: false, waived: null },
    ]);
  });

  it("never accepts a check that could not run, but lets it be waived", () => {
    expect(blockersFor([agent("error", {}, "runner offline")], staging)).toEqual([
      { id: "error:systems-engineer", message: "systems-engineer could not run: runner offline", waivable: true, waived: null },
    ]);
  });

  it("blocks on unconfigured checks in production (waivable) and only reports them in staging", () => {
    expect(blockersFor([agent("not_configured")], production)).toEqual([
      { id: "not_configured:systems-engineer", message: "systems-engineer has no checks configured", waivable: true, waived: null },
    ]);
    expect(blockersFor([agent("not_configured")], staging)).toEqual([]);
  });

  it("blocks on a cancelled check, waivably", () => {
    expect(blockersFor([agent("cancelled")], staging)).toEqual([expect.objectContaining({ id: "cancelled:systems-engineer", waivable: true })]);
  });

  it("returns one blocker per offending agent, in the agents' order", () => {
    const agents: AgentState[] = [
      { ...agent("not_configured"), agent: "qa-test-engineer", phase: "pre_deploy" },
      { ...agent("passed"), agent: "security-audit-specialist", phase: "pre_deploy" },
      { ...agent("error"), agent: "devops-engineer", phase: "pre_deploy" },
      agent("failed"),
    ];
    expect(blockersFor(agents, production).map((b) => b.id)).toEqual([
      "not_configured:qa-test-engineer",
      "error:devops-engineer",
      "failed:systems-engineer",
    ]);
  });
});
