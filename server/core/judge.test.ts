import { describe, expect, it } from "vitest";
import { blockersFor, judgeAgent } from "./judge.ts";
import { policyFor } from "./policy.ts";
import { reportFor } from "./testing.ts";
import type { AgentState, AgentStatus, CheckReport, SeverityCounts } from "./types.ts";

const counts = (some: Partial<SeverityCounts> = {}): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0, ...some });
const agent = (status: AgentStatus, found: Partial<SeverityCounts> = {}, summary = "summary"): AgentState => ({
  phase: "build",
  agent: "systems-engineer",
  status,
  summary,
  counts: counts(found),
});

/** What the systems agent reports on a busy laptop: the load test ran, p95 over its SLA (one high). */
const slowLoadTest: CheckReport = {
  checks: [
    { name: "load test", outcome: "ran", detail: "load test (1,200 requests)" },
    { name: "bundle", outcome: "ran", detail: "bundle 182 KB" },
    { name: "database pool", outcome: "not_configured" },
  ],
  counts: counts({ high: 1, info: 1 }),
  summary: "checked load test (1,200 requests), bundle 182 KB",
};

describe("judgeAgent", () => {
  it("shows a high finding under a policy where only critical blocks, and passes", () => {
    const verdict = judgeAgent(slowLoadTest, policyFor("low", "none", "staging"));
    expect(verdict).toEqual({ status: "passed", summary: "checked load test (1,200 requests), bundle 182 KB; 1 high shown, not blocking (critical or above blocks)" });
    expect(blockersFor([{ ...agent(verdict.status, { high: 1 }), summary: verdict.summary }], policyFor("low", "none", "staging"))).toEqual([]);
  });

  it("fails the same report where high blocks: the environment's gate policy, PCI DSS or HIPAA", () => {
    for (const policy of [policyFor("low", "none", "production", { blockingSeverity: "high" }), policyFor("low", "pci", "staging"), policyFor("low", "hipaa", "production")]) {
      const verdict = judgeAgent(slowLoadTest, policy);
      expect(verdict.status).toBe("failed");
      expect(verdict.summary).toMatch(/; 1 high finding\(s\) block \(high or above\)$/);
      expect(blockersFor([{ ...agent(verdict.status, { high: 1 }) }], policy)).toEqual([expect.objectContaining({ id: "findings:systems-engineer", waivable: false })]);
    }
  });

  it("says what could not run, and a blocking finding still wins over it", () => {
    const broken: CheckReport = { ...slowLoadTest, checks: [...slowLoadTest.checks, { name: "memory", outcome: "could_not_run", detail: "no RSS from /metrics" }] };
    expect(judgeAgent({ ...broken, counts: counts() }, policyFor("low", "none", "staging"))).toEqual({ status: "error", summary: "Could not run: memory: no RSS from /metrics — checked load test (1,200 requests), bundle 182 KB" });
    expect(judgeAgent(broken, policyFor("low", "pci", "staging")).status).toBe("failed");
    expect(judgeAgent(broken, policyFor("low", "pci", "staging")).summary).toMatch(/could not run: memory: no RSS from \/metrics$/);
  });

  it("never passes an agent with nothing configured, whatever the policy", () => {
    expect(judgeAgent(reportFor("not_configured"), policyFor("low", "none", "staging")).status).toBe("not_configured");
    expect(judgeAgent({ checks: [{ name: "load test", outcome: "not_configured" }], counts: counts({ info: 1 }), summary: "" }, policyFor("low", "none", "production")).status).toBe("not_configured");
  });

  it("lets medium findings through even at the strictest compliance floor, and names them", () => {
    expect(judgeAgent({ ...slowLoadTest, counts: counts({ medium: 2, low: 1 }) }, policyFor("low", "pci", "production")).summary).toMatch(/; 2 medium, 1 low shown, not blocking \(high or above blocks\)$/);
  });

  it("a medium gate policy blocks on medium findings", () => {
    expect(judgeAgent({ ...slowLoadTest, counts: counts({ medium: 1 }) }, policyFor("low", "none", "production", { blockingSeverity: "medium" })).status).toBe("failed");
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

  it("keeps a failed agent of a run judged before policy v2 as an unwaivable blocker", () => {
    expect(blockersFor([agent("failed", {}, "12 tests failed")], staging)).toEqual([
      { id: "failed:systems-engineer", message: "systems-engineer failed: 12 tests failed", waivable: false, waived: null },
    ]);
  });

  it("never accepts a check that could not run, but lets it be waived", () => {
    expect(blockersFor([agent("error", {}, "runner offline")], staging)).toEqual([
      { id: "error:systems-engineer", message: "systems-engineer: runner offline", waivable: true, waived: null },
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

describe("failing tests", () => {
  const failingTests: CheckReport = {
    checks: [
      { name: "tests", outcome: "ran", detail: "test command failed (exit 1)", highOrAbove: 1 },
      { name: "junit", outcome: "ran", detail: "24 tests, 2 failed", highOrAbove: 2 },
    ],
    counts: counts({ high: 3 }),
    summary: "test command failed (exit 1); 24 tests, 2 failed",
  };

  it("block in staging too, where other high findings only show", () => {
    const staging = policyFor("low", "none", "staging");
    const verdict = judgeAgent(failingTests, staging);
    expect(verdict).toEqual({ status: "failed", summary: "test command failed (exit 1); 24 tests, 2 failed; tests, junit failing, which always blocks" });
    const qa: AgentState = { ...agent(verdict.status, { high: 3 }), agent: "qa-test-engineer", phase: "pre_deploy", checks: failingTests.checks };
    expect(blockersFor([qa], staging)).toEqual([
      { id: "findings:qa-test-engineer", message: "qa-test-engineer: 3 failing test finding(s) in tests, junit; failing tests always block", waivable: false, waived: null },
    ]);
  });

  it("a high finding in another QA part (API compatibility) only shows under 'critical blocks'", () => {
    const apiOnly: CheckReport = { checks: [{ name: "api compatibility", outcome: "ran", highOrAbove: 1 }], counts: counts({ high: 1 }), summary: "1 breaking API change" };
    expect(judgeAgent(apiOnly, policyFor("low", "none", "staging")).status).toBe("passed");
  });
});
