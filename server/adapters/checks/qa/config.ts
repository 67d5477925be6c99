import path from "node:path";
import { z } from "zod";
import { ZAbsolutePath } from "../config-fields.ts";

/** A program the agent runs: no shell, a minimal environment, killed at its time limit. */
const ZQaCommand = z.strictObject({
  /** absolute path of the program, or a name looked up on PATH (plus the workspace's node_modules/.bin) */
  command: z.string().trim().min(1, "Enter a program").max(1_000),
  /** its arguments, passed as they are (no shell expansion) */
  args: z.array(z.string().max(2_000)).max(100).default([]),
  /** how long it may run before its whole process group is killed; at most 1 hour */
  timeoutMs: z.number().int().min(100).max(3_600_000),
});
export type TQaCommand = z.infer<typeof ZQaCommand>;

/** A path inside the workspace: relative, and never climbing out of it. */
const ZRelativePath = z
  .string()
  .trim()
  .min(1)
  .max(1_000)
  .refine((p) => !path.isAbsolute(p) && !path.normalize(p).startsWith(".."), "Must be a path relative to the workspace, inside it");

/** Line coverage on the code that must not break (payments, auth, …). */
const ZQaCoverage = z
  .object({
    /** istanbul `json-summary` report (per-file `lines.pct`); relative to the workspace */
    summaryPath: ZRelativePath.optional(),
    /** lcov tracefile (LF/LH per SF, or its DA lines when LF/LH are absent); relative to the workspace */
    lcovPath: ZRelativePath.optional(),
    /** critical paths: path prefixes (`src/payments`) or globs (`src/**\/auth/*.ts`), relative to the workspace */
    criticalPaths: z.array(z.string().trim().min(1)).min(1, "List at least one critical path"),
    /** minimum line coverage per critical path, in percent; default 80 (the procedure's ">80%") */
    thresholdPct: z.number().min(0).max(100).default(80),
  })
  .refine((c) => c.summaryPath !== undefined || c.lcovPath !== undefined, "Give coverage.summaryPath or coverage.lcovPath");

/** The two OpenAPI 3.x documents to compare (JSON or YAML). */
const ZQaOpenApi = z.strictObject({
  /** the API the baseline serves (what clients rely on today): relative to the workspace, or absolute (e.g. the baseline's release folder) */
  previousPath: z.union([ZRelativePath, ZAbsolutePath], { error: "Must be a path relative to the workspace, or an absolute path without “..”" }),
  /** the API the target version serves */
  currentPath: ZRelativePath,
});

/**
 * The qa-test-engineer agent's configuration for one service and environment. Every part is
 * optional except the workspace; a part that is absent is not run (and the summary says so).
 */
export const ZQaConfig = z.strictObject({
  /** absolute path of the checked-out target version; commands run here and paths resolve from here */
  workspace: ZAbsolutePath,
  /** the service's own test command (e.g. `npx vitest run --reporter=junit`) */
  testCommand: ZQaCommand.optional(),
  /** JUnit XML reports to read after the test command, relative to the workspace */
  junitPaths: z.array(ZRelativePath).default([]),
  /** line coverage on critical paths */
  coverage: ZQaCoverage.optional(),
  /** API backward compatibility, previous vs current */
  openapi: ZQaOpenApi.optional(),
  /** a chaos/resilience hook; exit 0 means the service held up */
  chaosCommand: ZQaCommand.optional(),
});
export type TQaConfig = z.infer<typeof ZQaConfig>;
export type TQaCoverage = z.infer<typeof ZQaCoverage>;
