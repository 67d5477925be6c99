/**
 * A share of the simulated three-step runs, in its own process so the runs use every core:
 *   started by bench/simulated.ts; receives `{ kind: "runs", … }` over IPC and answers
 *   `{ kind: "runs-done", outcomes }`. Exits with its parent.
 */
import { exitWithParent } from "./lib.ts";
import { simulateRun, type RunJob, type RunJobDone } from "./simulated.ts";

exitWithParent();
process.on("message", (m: RunJob) => {
  if (m.kind !== "runs") return;
  const outcomes = m.seeds.map((seed) => simulateRun(seed, m.steps, m.canaryMultiplier));
  // The parent may have given up meanwhile (watchdog, Ctrl-C): a closed channel is not an error here.
  if (process.connected) process.send?.({ kind: "runs-done", outcomes } satisfies RunJobDone, undefined, undefined, () => undefined);
});
