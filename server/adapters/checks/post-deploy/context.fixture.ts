import type { CheckContext } from "../../../engine/ports.ts";

/** A check context for tests that records what the runner logged and the progress it reported. */
export function checkContext(config: unknown, signal: AbortSignal = new AbortController().signal) {
  const logs: string[] = [];
  const progress: number[] = [];
  const ctx: CheckContext = {
    runId: "run-post-deploy",
    phase: "post_deploy",
    agent: "post-deploy-health",
    service: "checkout",
    environment: "production",
    baselineVersion: "1.4.0",
    targetVersion: "1.5.0",
    config,
    signal,
    progress: async (percent) => {
      progress.push(percent);
    },
    log: async (line) => {
      logs.push(line);
    },
  };
  return { ctx, logs, progress };
}

/** A loopback TCP port nothing listens on (for "unreachable" cases): a free one, released. */
export { freePort as closedPort } from "../../../testing/global-setup.ts";
