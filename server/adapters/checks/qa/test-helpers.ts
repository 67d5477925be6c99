import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckResult } from "../../../engine/ports.ts";
import type { Judged } from "../judged.fixture.ts";
import { notCheckedMessage, SUB_CHECK } from "../../../core/success-criteria.ts";
import { recordingContext } from "../check-context.fixture.ts";
import { qaRunner } from "./qa-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

// Shared by the qa-test-engineer's service tests only: real files in a throwaway workspace.

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

/** A fresh workspace holding a copy of fixtures/ (the summary's `__WORKSPACE__` made real). */
export function makeWorkspace(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-qa-"));
  cpSync(FIXTURES, dir, { recursive: true });
  const summary = path.join(dir, "coverage", "coverage-summary-high.json");
  writeFileSync(summary, readFileSync(summary, "utf8").replaceAll("__WORKSPACE__", dir));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the run page would show for one qa-test-engineer run: result, live log and progress. */
export type Observed = Judged & { verdict: string; all: CheckResult["findings"]; logs: string[]; progress: number[]; messages: string[] };

export async function runQa(config: unknown, signal: AbortSignal = new AbortController().signal): Promise<Observed> {
  const ctx = recordingContext("qa-test-engineer", config, { signal, service: "payments", environment: "staging", baselineVersion: "1.4.0", targetVersion: "1.5.0" });
  const { logs, progressSeen: progress } = ctx;
  const result = await judgedRun(qaRunner, ctx);
  // The "tests not checked" note is asserted once (qa-runner tests); the report tests look at their own findings.
  const findings = result.findings.filter((f) => f.message !== notCheckedMessage(SUB_CHECK.tests));
  return { ...result, summary: result.measured, verdict: result.summary, findings, all: result.findings, logs, progress, messages: findings.map((f) => `${f.severity}: ${f.message}`) };
}
