import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { Compliance } from "../../../core/types.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { EVIDENCE_CHECKLISTS, isEvidenceFor, type EvidenceItem } from "./compliance-checklist.ts";

/**
 * Holds the release to its compliance framework's evidence checklist: every required item must
 * be a non-empty file in the evidence folder. A missing or empty item is high (the release does
 * not ship without it); a present one is an info finding naming the file, for the audit trail.
 */
export async function checkComplianceEvidence(compliance: Compliance, evidenceDir: string, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const checklist = EVIDENCE_CHECKLISTS[compliance];
  if (checklist.length === 0) {
    return { findings: [{ severity: "info", message: "no compliance evidence required", evidence: `the release falls under no compliance framework (${compliance}); ${evidenceDir} was not read` }], checked: "compliance evidence (none required)" };
  }
  const entries = await readdir(evidenceDir, { withFileTypes: true }).catch((e: unknown) => {
    throw new CannotRunError(`cannot read the compliance evidence folder ${evidenceDir}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const files = entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  const findings: CheckFinding[] = [];
  for (const item of checklist) findings.push(await itemFinding(compliance, item, evidenceDir, files));
  const missing = findings.filter((f) => f.severity !== "info").length;
  await ctx.log(`${compliance}: ${checklist.length - missing} of ${checklist.length} evidence item(s) present in ${evidenceDir}`);
  return { findings, checked: `${checklist.length} ${compliance} evidence item(s)` };
}

async function itemFinding(compliance: Compliance, item: EvidenceItem, dir: string, files: readonly string[]): Promise<CheckFinding> {
  const candidates = files.filter((f) => isEvidenceFor(item, f));
  const sizes = await Promise.all(candidates.map(async (f) => ({ file: f, size: (await stat(path.join(dir, f))).size })));
  const present = sizes.find((s) => s.size > 0);
  if (present !== undefined) return { severity: "info", message: `${compliance} evidence present: ${item.title}`, evidence: path.join(dir, present.file) };
  const empty = sizes.map((s) => s.file);
  return {
    severity: "high",
    message: `${compliance} evidence missing: ${item.title}`,
    evidence: empty.length > 0 ? `${empty.map((f) => path.join(dir, f)).join(", ")} is empty` : `expected a non-empty file ${path.join(dir, item.id)}.* (any extension)`,
  };
}
