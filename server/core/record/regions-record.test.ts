import { describe, expect, it } from "vitest";
import { buildReleaseRecord } from "./build-record.ts";
import { recordInput } from "./testing.ts";
import { recordToMarkdown } from "./to-markdown.ts";
import { failRegion, releaseRegion, startRegion, wavePlan } from "../regions.ts";
import { regionSteps } from "../strategy.ts";
import { atApprovalGate, T0 } from "../testing.ts";

describe("the release record of a region-by-region run", () => {
  const gate = atApprovalGate({ router: "builtin" });
  let plan = wavePlan([
    { name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [] },
    { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney", windows: [] },
  ]);
  plan = startRegion(releaseRegion(startRegion(plan, "eu-west", T0), "eu-west", T0 + 60_000), "ap-southeast", T0 + 60_000);
  plan = failRegion(plan, "ap-southeast", "Canary errors 9% vs 0.1%", T0 + 120_000).plan;
  const state = { ...gate, steps: regionSteps(gate.steps, plan.regions), regionPlan: plan };
  const input = recordInput(state, {
    decisions: [
      { at: new Date(T0 + 30_000).toISOString(), verdict: "advance", trigger: "analysis", reason: "eu-west: Canary 5%: healthy", evidence: { percent: 5 }, region: "eu-west" },
      { at: new Date(T0 + 120_000).toISOString(), verdict: "rollback", trigger: "error-rate", reason: "Automatic rollback: Canary errors 9% vs 0.1%", evidence: { canaryPercent: 5, regions: "ap-southeast" }, region: "ap-southeast" },
    ],
  });

  it("has a section per region: its steps, its verdicts with their evidence, and whether it was rolled back", () => {
    const doc = buildReleaseRecord(input);
    const section = doc.sections.find((s) => s.id === "regions");
    expect(section?.subsections.map((s) => s.title)).toEqual(["eu-west — released", "ap-southeast — failed, rolled back"]);
    const md = recordToMarkdown(doc);
    expect(md).toContain("Canary errors 9% vs 0.1%");
    expect(md).toMatch(/regions: ap-southeast/);
    expect(md).toMatch(/eu-west: Canary 5%/);
    // The regions come before the run's full list of decisions.
    expect(doc.sections.map((s) => s.id).indexOf("regions")).toBe(doc.sections.map((s) => s.id).indexOf("decisions") - 1);
  });

  it("a run without regions has no regions section", () => {
    expect(buildReleaseRecord(recordInput(gate)).sections.some((s) => s.id === "regions")).toBe(false);
  });
});
