import type { ApiRun } from "../server/contracts/api-v1.ts";

/**
 * The CLI's exit codes: a pipeline branches on them, so they never change meaning. Documented in
 * `flightdeck --help` and the README.
 */
export const EXIT = {
  /** the command did what was asked; with --wait: the run was released (succeeded) */
  ok: 0,
  /** usage error, bad input, an HTTP or API error, a server that could not be reached */
  error: 1,
  /** the run was rolled back (the canary analysis or a person decided) */
  rolledBack: 2,
  /** the run was rejected at a gate or aborted */
  rejectedOrAborted: 3,
  /** --timeout passed before the run ended; the run goes on */
  timedOut: 4,
  /** the run failed without a clean rollback (traffic could not be reverted): a person must look */
  failed: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The help text's table, the same words as the README's. */
export const EXIT_CODES_HELP = `Exit codes (run create --wait, run wait):
  0  released: the run succeeded (other commands: done)
  1  usage, input, HTTP or API error; server unreachable
  2  rolled back
  3  rejected at a gate, or aborted
  4  timed out waiting (--timeout); the run goes on
  5  failed: the rollback could not revert traffic; a person must look`;

/** What a finished run means for the pipeline, in one word and its exit code. */
export function outcomeOf(run: Pick<ApiRun, "status" | "outcomeReason">): { outcome: string; code: ExitCode } {
  switch (run.status) {
    case "succeeded":
      return { outcome: "released", code: EXIT.ok };
    case "rolled_back":
      return { outcome: "rolled back", code: EXIT.rolledBack };
    case "aborted":
      return { outcome: "aborted", code: EXIT.rejectedOrAborted };
    case "failed":
      // The core ends a run rejected at its approval gate as failed, with this reason
      // (server/core/gates.ts); any other failure is a rollback that could not revert traffic.
      return /^Rejected\b/.test(run.outcomeReason ?? "") ? { outcome: "rejected", code: EXIT.rejectedOrAborted } : { outcome: "failed", code: EXIT.failed };
    case "running":
    case "paused":
    case "rolling_back":
      return { outcome: "not finished", code: EXIT.error };
    default: {
      const never: never = run.status;
      throw new Error(`unknown run status ${String(never)}`);
    }
  }
}
