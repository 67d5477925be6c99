import { z } from "zod";

/**
 * The CLI's configuration, parsed once from the environment it is given. The CLI is a client
 * of the server, often on another machine (a CI runner), so it has its own small set of
 * variables rather than the server's (server/env.ts, which `flightdeck admin` uses to reach the
 * server's database). Nothing else in cli/ reads the environment.
 */
const ZCliEnv = z.object({
  /** The Flightdeck server, e.g. http://127.0.0.1:3000 (`--url` overrides). */
  FLIGHTDECK_URL: z.string().trim().optional(),
  /** An API token, `fd_…` (`--token` overrides). */
  FLIGHTDECK_TOKEN: z.string().trim().optional(),
  /** Set by nearly every CI system: progress as plain timestamped lines instead of a live display. */
  CI: z.string().optional(),
  /** GitHub Actions: the workflow run and its attempt, for a stable idempotency key. */
  GITHUB_RUN_ID: z.string().optional(),
  GITHUB_RUN_ATTEMPT: z.string().optional(),
  GITHUB_REPOSITORY: z.string().optional(),
  GITHUB_JOB: z.string().optional(),
  /** GitLab CI: the job (a retried job gets a new id, like a new attempt). */
  CI_JOB_ID: z.string().optional(),
  CI_PROJECT_PATH: z.string().optional(),
  /** Buildkite: the job and how often it was retried. */
  BUILDKITE_JOB_ID: z.string().optional(),
  BUILDKITE_RETRY_COUNT: z.string().optional(),
  /** CircleCI: the workflow job. */
  CIRCLE_WORKFLOW_JOB_ID: z.string().optional(),
  /** Jenkins: the build's URL names job and build number. */
  BUILD_URL: z.string().optional(),
  /** https://no-color.org: no ANSI colours when set. */
  NO_COLOR: z.string().optional(),
  /** The operating-system user, named in the audit trail of `flightdeck admin`. */
  USER: z.string().optional(),
});

export type CliEnv = z.infer<typeof ZCliEnv>;

/** Only the variables above; anything else in the environment is ignored. */
export function parseCliEnv(env: Record<string, string | undefined>): CliEnv {
  return ZCliEnv.parse(env);
}

/** Whether a CI system runs us: its logs want plain lines, not a redrawn display. */
export function inCi(env: CliEnv): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI.toLowerCase() !== "false";
}
