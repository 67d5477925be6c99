import { describe, expect, it } from "vitest";
import { POLICY_VERSION, policyFor } from "./policy.ts";
import type { Policy } from "./types.ts";

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
      blockingSeverityFrom: "the procedure's default",
      blockingChecks: ["tests", "junit"],
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

describe("an environment's gate policy", () => {
  it("makes high findings block in production when set to high, and says where the rule comes from", () => {
    expect(policyFor("low", "none", "production", { blockingSeverity: "high" })).toMatchObject({ blockingSeverity: "high", blockingSeverityFrom: "production's gate policy" });
  });

  it("never loosens what a compliance framework requires", () => {
    expect(policyFor("low", "pci", "production", { blockingSeverity: "critical" })).toMatchObject({ blockingSeverity: "high", blockingSeverityFrom: "PCI DSS" });
    expect(policyFor("low", "hipaa", "staging", { blockingSeverity: "medium" })).toMatchObject({ blockingSeverity: "medium", blockingSeverityFrom: "staging's gate policy" });
  });

  it("keeps the procedure's default when unset", () => {
    expect(policyFor("low", "none", "staging", { blockingSeverity: null })).toMatchObject({ blockingSeverity: "critical", blockingSeverityFrom: "the procedure's default" });
  });
});
