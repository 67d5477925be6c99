import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPLIANCES, type Compliance } from "../../../core/types.ts";
import { EVIDENCE_CHECKLISTS, isEvidenceFor } from "./compliance-checklist.ts";
import { securityRunner } from "./security-runner.ts";
import { fixture, securityContext } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Evidence folders as a release team files them, from ./fixtures: sox complete, and sox with the
// segregation-of-duties record missing and an empty rollback plan.
const complete = fixture("evidence-sox-complete");
const incomplete = fixture("evidence-sox-incomplete");
const run = (compliance: Compliance, evidenceDir: string) => judgedRun(securityRunner, securityContext({ compliance: { evidenceDir } }, { compliance }));
const evidenceFindings = (findings: { message: string }[]) => findings.filter((f) => !f.message.endsWith("not checked: not configured"));

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(path.join(os.tmpdir(), "flightdeck-evidence-"));
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

describe("compliance evidence", () => {
  it("a complete sox folder passes, each item listed with its file", async () => {
    const result = await run("sox", complete);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("checked 4 sox evidence item(s)");
    expect(evidenceFindings(result.findings)).toEqual([
      expect.objectContaining({ severity: "info", message: "sox evidence present: approved change ticket", evidence: path.join(complete, "sox-change-ticket.md") }),
      expect.objectContaining({ severity: "info", message: "sox evidence present: test evidence for the change", evidence: path.join(complete, "sox-test-evidence.txt") }),
      expect.objectContaining({ severity: "info", message: "sox evidence present: segregation of duties approval record (approver is not the author)", evidence: path.join(complete, "sox-segregation-of-duties.json") }),
      expect.objectContaining({ severity: "info", message: "sox evidence present: rollback plan", evidence: path.join(complete, "sox-rollback-plan.md") }),
    ]);
  });

  it("a missing and an empty item block the release, naming the expected file", async () => {
    const result = await run("sox", incomplete);
    expect(result.status).toBe("failed");
    const blocking = result.findings.filter((f) => f.severity === "high");
    expect(blocking).toEqual([
      expect.objectContaining({ message: "sox evidence missing: segregation of duties approval record (approver is not the author)", evidence: `expected a non-empty file ${path.join(incomplete, "sox-segregation-of-duties")}.* (any extension)` }),
      expect.objectContaining({ message: "sox evidence missing: rollback plan", evidence: `${path.join(incomplete, "sox-rollback-plan.md")} is empty` }),
    ]);
  });

  it("holds a gdpr release to the gdpr checklist, not to sox evidence", async () => {
    const result = await run("gdpr", complete);
    expect(result.status).toBe("failed");
    expect(evidenceFindings(result.findings).map((f) => f.message)).toEqual([
      "gdpr evidence missing: data protection impact assessment or privacy review",
      "gdpr evidence missing: data retention policy",
      "gdpr evidence missing: personal data inventory",
      "gdpr evidence missing: data processor agreements",
    ]);
  });

  it("a release under no framework needs no evidence: info, not an error", async () => {
    const result = await run("none", empty);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("checked compliance evidence (none required)");
    expect(evidenceFindings(result.findings)).toEqual([expect.objectContaining({ severity: "info", message: "no compliance evidence required" })]);
  });

  it("an evidence folder that does not exist is an error", async () => {
    const result = await run("pci", path.join(empty, "missing"));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`cannot read the compliance evidence folder ${path.join(empty, "missing")}`);
  });

  it("every framework but none asks for evidence, each item id prefixed with its framework", () => {
    for (const compliance of COMPLIANCES) {
      const items = EVIDENCE_CHECKLISTS[compliance];
      if (compliance === "none") expect(items).toEqual([]);
      else expect(items.length > 0 && items.every((i) => i.id.startsWith(`${compliance}-`))).toBe(true);
    }
    const ticket = { id: "sox-change-ticket", title: "approved change ticket" };
    expect(["sox-change-ticket", "sox-change-ticket.md", "sox-change-ticket.pdf"].every((f) => isEvidenceFor(ticket, f))).toBe(true);
    expect(["sox-change-ticket-draft.md", "old-sox-change-ticket.md"].some((f) => isEvidenceFor(ticket, f))).toBe(false);
  });
});
