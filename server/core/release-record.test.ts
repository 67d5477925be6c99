import { describe, expect, it } from "vitest";
import { diffConfig, renderReleaseRecord, type ReleaseRecordInput } from "./release-record.ts";
import { successCriteria } from "./success-criteria.ts";
import { actors, atApprovalGate, feed, inRollout } from "./testing.ts";

describe("configuration differences", () => {
  it("lists added, removed and changed keys by dotted path, sorted, with secret values redacted", () => {
    const before = { timeouts: { upstreamMs: 2000 }, features: ["a"], cache: { ttlSeconds: 60 }, apiToken: "old-token", gone: true };
    const after = { timeouts: { upstreamMs: 1500 }, features: ["a", "b"], cache: { ttlSeconds: 60 }, apiToken: "new-token", added: { flag: false } };
    expect(diffConfig(before, after)).toEqual([
      { key: "added.flag", kind: "added", after: "false" },
      { key: "apiToken", kind: "changed", before: "[redacted]", after: "[redacted]" },
      { key: "features[1]", kind: "added", after: '"b"' },
      { key: "gone", kind: "removed", before: "true" },
      { key: "timeouts.upstreamMs", kind: "changed", before: "2000", after: "1500" },
    ]);
  });

  it("hides credentials inside URL values whatever the key is called", () => {
    expect(diffConfig({ upstream: "postgres://app:old-pw@db:5432/shop" }, { upstream: "postgres://app:new-pw@db2:5432/shop" })).toEqual([
      { key: "upstream", kind: "changed", before: '"postgres://[redacted]@db:5432/shop"', after: '"postgres://[redacted]@db2:5432/shop"' },
    ]);
  });

  it("finds nothing between equal configurations", () => {
    expect(diffConfig({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });
});

function input(state = atApprovalGate(), more: Partial<ReleaseRecordInput> = {}): ReleaseRecordInput {
  return {
    number: 42,
    serviceName: "Checkout",
    state,
    agents: state.agents.map((a) => ({ ...a, findings: [] })),
    criteria: successCriteria({ state, findings: [], hasRunbook: true, notifications: [], recordVersions: 1 }),
    approvals: [{ gate: "approval", decision: "approve", by: "Rita Manager", at: "2026-11-28T10:00:00.000Z", reason: "checks green" }],
    decisions: [],
    configChanges: null,
    releaseNotes: null,
    runbook: "1. Watch the error rate.",
    writtenAt: "2026-11-28T10:30:00.000Z",
    ...more,
  };
}

describe("the release record", () => {
  it("says what changed, the criteria, each agent's findings with evidence, who approved and the runbook", () => {
    const base = input();
    const md = renderReleaseRecord({
      ...base,
      agents: base.agents.map((a) =>
        a.agent === "security-audit-specialist" ? { ...a, findings: [{ severity: "high", check: "secrets scan", message: "GitHub token in src/config.mjs:3", evidence: "ghp_… [redacted]", link: null }] } : a,
      ),
      configChanges: [{ key: "cache.ttlSeconds", kind: "changed", before: "60", after: "30" }],
      releaseNotes: "# checkout 1.5.0\n- Faster checkout totals",
    });
    expect(md).toContain("# Release record — Checkout v1.5.0 (production)");
    expect(md).toContain("- Version: v1.4.2 → v1.5.0");
    expect(md).toContain("| `cache.ttlSeconds` | changed | 60 | 30 |");
    expect(md).toContain("#### checkout 1.5.0\n- Faster checkout totals"); // the notes' heading sits below the record's
    expect(md).toContain("| All tests passing | met |");
    expect(md).toContain("### security-audit-specialist — passed");
    expect(md).toContain("- **high** [secrets scan] GitHub token in src/config.mjs:3 — evidence: ghp_… [redacted]");
    expect(md).toContain("- approval: approve by Rita Manager at 2026-11-28T10:00:00.000Z — checks green");
    expect(md).toContain("1. Watch the error rate.");
    expect(md).not.toContain("Post-mortem draft");
  });

  it("says why configuration differences are unknown rather than leaving them out", () => {
    expect(renderReleaseRecord(input(undefined, { configChanges: "/srv/2.4.0/config.json not found" }))).toContain("_Unknown: /srv/2.4.0/config.json not found_");
  });

  it("on rollback, drafts a post-mortem with the evidence and every rollback step", () => {
    const rolled = feed(inRollout(), [
      { kind: "rollback", actor: actors.onCall, reason: "customers report failed payments" },
      { kind: "rollbackStepFinished", step: "revert_traffic", status: "done", detail: "Canary weight 0%, verified" },
    ]).state;
    const md = renderReleaseRecord(input(rolled, { decisions: [{ at: "2026-11-28T10:05:00.000Z", verdict: "rollback", trigger: "operator", reason: "customers report failed payments", evidence: { canaryPercent: 5 } }] }));
    expect(md).toContain("## Post-mortem draft");
    expect(md).toContain("- Reason: customers report failed payments");
    expect(md).toMatch(/- Canary when rolled back: step 1 of \d+ at 5% of traffic/);
    expect(md).toContain('- Numbers: `{"canaryPercent":5}`');
    expect(md).toContain("  - revert traffic: done — Canary weight 0%, verified");
    expect(md).toContain("- Root cause: _to be completed_");
  });
});
