import { createServer } from "node:net";
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

/** A loopback TCP port nothing listens on (for "unreachable" cases). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
