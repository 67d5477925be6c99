import type { CheckResult } from "../../../engine/ports.ts";
import { recordingContext } from "../check-context.fixture.ts";

/** A check context for tests that records what the runner logged and the progress it reported. */
export function checkContext(config: unknown, signal: AbortSignal = new AbortController().signal) {
  const ctx = recordingContext("post-deploy-health", config, { signal, baselineVersion: "1.4.0", targetVersion: "1.5.0" });
  return { ctx, logs: ctx.logs, progress: ctx.progressSeen };
}

/** A loopback TCP port nothing listens on (for "unreachable" cases): a free one, released. */
export { freePort as closedPort } from "../../../testing/global-setup.ts";

/** The result with the "not checked: not configured" notes of the sub-checks a test did not configure left out. */
export function probed<R extends CheckResult>(result: R): R {
  return { ...result, findings: result.findings.filter((f) => !f.message.endsWith("not checked: not configured")) };
}
