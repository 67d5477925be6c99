/**
 * The built-in router under test, in its own process (as it would own a core in production):
 *   node --import tsx bench/router-child.ts <baselineUrl> <canaryUrl>
 * At a 5% canary for a run, observing every request into a real MetricsAggregator, exactly as
 * the demo fleet wires it. Reports `{ kind: "listening", url }` over IPC; exits with its parent.
 */
import { BuiltinRouter } from "../server/adapters/routers/builtin/builtin-router.ts";
import { MetricsAggregator } from "../server/metrics/aggregator.ts";
import { exitWithParent } from "./lib.ts";

const [baseline, canary] = process.argv.slice(2);
if (!baseline || !canary) {
  console.error("usage: router-child.ts <baselineUrl> <canaryUrl>");
  process.exit(2);
}
const aggregator = new MetricsAggregator(() => Date.now());
const router = new BuiltinRouter({ listenPort: 0, host: "127.0.0.1", upstreams: { baseline, canary }, sink: aggregator });
await router.start();
const runId = "00000000-0000-4000-8000-000000000001";
aggregator.startStep(runId, 0);
await router.setWeight({ runId, service: "bench", environment: "production", baseline: "1.0.0", canary: "1.1.0" }, 5);
// What the analysis loop does every second, so the aggregator's per-second state stays bounded.
const roll = setInterval(() => {
  aggregator.rollSecond();
  aggregator.rollWindows();
}, 1_000);
exitWithParent(async () => {
  clearInterval(roll);
  await router.stop(500);
});
const address = router.address();
process.send?.({ kind: "listening", url: address?.url });
