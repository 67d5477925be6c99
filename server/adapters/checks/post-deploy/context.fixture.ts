import { recordingContext } from "../check-context.fixture.ts";

/** A check context for tests that records what the runner logged and the progress it reported. */
export function checkContext(config: unknown, signal: AbortSignal = new AbortController().signal) {
  const ctx = recordingContext("post-deploy-health", config, { signal, baselineVersion: "1.4.0", targetVersion: "1.5.0" });
  return { ctx, logs: ctx.logs, progress: ctx.progressSeen };
}

/** A loopback TCP port nothing listens on (for "unreachable" cases): a free one, released. */
export { freePort as closedPort } from "../../../testing/global-setup.ts";
