import { createHash, randomUUID } from "node:crypto";
import type { CliEnv } from "./env.ts";

/**
 * The Idempotency-Key of `run create`: the same for every retry of one CI job's attempt, so a
 * retried step (or the CLI's own retry after a dropped connection) answers with the run it
 * already created instead of starting a second release. A new attempt ("Re-run jobs") is a new
 * key: re-running a rolled-back pipeline should release again. The service, environment and
 * version are part of it, so a job that releases to staging and then to production makes two
 * runs. Outside CI a random key still makes the CLI's own retries safe.
 */
export function idempotencyKeyFor(env: CliEnv, target: { service: string; environment: string; version: string }): { key: string; source: string } {
  const job = ciJob(env);
  if (!job) return { key: `cli-${randomUUID()}`, source: "random" };
  const key = `${job.key}:${target.service}:${target.environment}:${target.version}`;
  // The API takes 1–200 visible ASCII characters; anything else is hashed into that shape.
  const fits = /^[\x21-\x7E]{1,200}$/.test(key);
  return { key: fits ? key : `${job.key.slice(0, 60).replace(/[^\x21-\x7E]/g, "_")}:${createHash("sha256").update(key).digest("hex")}`, source: job.source };
}

/** The CI job attempt we run in, when the environment names one. */
function ciJob(env: CliEnv): { key: string; source: string } | null {
  if (env.GITHUB_RUN_ID) {
    return { key: `gh:${env.GITHUB_REPOSITORY ?? ""}:${env.GITHUB_RUN_ID}:${env.GITHUB_RUN_ATTEMPT ?? "1"}:${env.GITHUB_JOB ?? ""}`, source: "GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT" };
  }
  if (env.CI_JOB_ID) return { key: `gl:${env.CI_PROJECT_PATH ?? ""}:${env.CI_JOB_ID}`, source: "CI_JOB_ID" };
  if (env.BUILDKITE_JOB_ID) return { key: `bk:${env.BUILDKITE_JOB_ID}:${env.BUILDKITE_RETRY_COUNT ?? "0"}`, source: "BUILDKITE_JOB_ID" };
  if (env.CIRCLE_WORKFLOW_JOB_ID) return { key: `circle:${env.CIRCLE_WORKFLOW_JOB_ID}`, source: "CIRCLE_WORKFLOW_JOB_ID" };
  if (env.BUILD_URL) return { key: `jenkins:${createHash("sha256").update(env.BUILD_URL).digest("hex").slice(0, 32)}`, source: "BUILD_URL" };
  return null;
}
