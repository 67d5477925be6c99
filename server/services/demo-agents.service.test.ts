import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoFleet, type DemoFleet } from "../../demo/fleet.ts";
import { recordingContext } from "../adapters/checks/check-context.fixture.ts";
import { createCheckRunners } from "../adapters/checks/registry.ts";
import { expandPlaceholders } from "../core/placeholders.ts";
import { AGENTS_BY_PHASE, type AgentName } from "../core/types.ts";
import { judgedRun, type Judged } from "../adapters/checks/judged.fixture.ts";
import { demoChecks, demoReleaseVersions, DEMO_RELEASES, nextDemoVersion } from "./demo.ts";

// What a new user sees after `npm start`: every agent runs for real on the demo's release
// material and on the canary process itself. 2.3.1 must pass them all (the demo canary goes on
// by itself); 2.4.0 is the defective release whose checks block.

const runners = createCheckRunners();
const AGENTS: AgentName[] = Object.values(AGENTS_BY_PHASE).flat();
let fleet: DemoFleet;

beforeAll(async () => {
  fleet = await startDemoFleet({ baselineVersion: "2.3.0", canaryVersion: "2.3.1", rps: 20, sink: { observeRequest() {} }, siteDirFor: (v) => `${DEMO_RELEASES}/${v}/site` });
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
});

async function runAll(target: string): Promise<Record<string, Judged>> {
  const out: Record<string, Judged> = {};
  for (const agent of AGENTS) {
    const filled = expandPlaceholders(demoChecks()[agent], {
      targetVersion: target,
      baselineVersion: "2.3.0",
      service: "storefront",
      environment: "staging",
      canaryUrl: fleet.services.canary.url,
      baselineUrl: fleet.services.baseline.url,
    });
    if (!filled.ok) throw new Error(`placeholders without values: ${filled.missing.join(", ")}`);
    const ctx = recordingContext(agent, filled.value, { environment: "staging", baselineVersion: "2.3.0", targetVersion: target, compliance: "sox" });
    out[agent] = await judgedRun(runners(agent, filled.value), ctx);
  }
  return out;
}

describe("the demo service's release material", () => {
  it("has the versions the demo walks through, 2.3.0 → 2.3.1 first", () => {
    expect(demoReleaseVersions()).toEqual(["2.3.0", "2.3.1", "2.4.0"]);
    expect(nextDemoVersion("2.3.0")).toBe("2.3.1");
    expect(nextDemoVersion("2.3.1")).toBe("2.4.0");
  });

  it("2.3.1 passes every agent, each having checked something real", async () => {
    const results = await runAll("2.3.1");
    expect(Object.fromEntries(Object.entries(results).map(([a, r]) => [a, r.status]))).toEqual(Object.fromEntries(AGENTS.map((a) => [a, "passed"])));
    expect(results["qa-test-engineer"]?.summary).toMatch(/24 tests, 0 failed; coverage 100% on src\/payment\.mjs/);
    expect(results["systems-engineer"]?.summary).toMatch(/load test \([\d,]+ requests\)/);
    expect(results["accessibility-expert"]?.summary).toMatch(/2 viewport\(s\), keyboard focus order on 1 page/);
  }, 90_000);

  it("2.4.0 fails every pre-deploy and build agent with the defects it ships", async () => {
    await fleet.playVersion("canary", "2.4.0");
    const results = await runAll("2.4.0");
    const messages = (agent: AgentName) => results[agent]?.findings.filter((f) => f.severity === "critical" || f.severity === "high").map((f) => f.message) ?? [];
    for (const agent of AGENTS_BY_PHASE.pre_deploy) expect(results[agent]?.status, agent).toBe("failed");
    for (const agent of AGENTS_BY_PHASE.build) expect(results[agent]?.status, agent).toBe("failed");
    expect(messages("qa-test-engineer")).toContain("test failed: cartTotals › applies the promo discount before tax");
    expect(messages("security-audit-specialist")).toContain("sox evidence missing: rollback plan");
    expect(messages("devops-engineer").some((m) => m.includes(":latest"))).toBe(true);
    expect(messages("systems-engineer")).toContain("the pools exceed the database's connection limit");
    expect(messages("accessibility-expert").some((m) => m.startsWith("image-alt:"))).toBe(true);
    expect(fleet.services.canary.version).toBe("2.4.0");
  }, 90_000);
});
