/**
 * The built-in router under test, in its own process (as it would own a core in production):
 *   node --import tsx bench/router-child.ts <baselineUrl> <canaryUrl>
 * At a 5% canary for a run, observing every request into a real MetricsAggregator, exactly as
 * the demo fleet wires it. Reports `{ kind: "listening", url }` over IPC; exits with its parent.
 * Answers `{ kind: "reset" }` and `{ kind: "stats" }` with its event-loop delay and GC pauses
 * since the last reset, to tell where its tail latency comes from.
 */
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
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

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const gc = { count: 0, totalMs: 0, maxMs: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
});
gcObserver.observe({ entryTypes: ["gc"] });
process.on("message", (m: unknown) => {
  const kind = typeof m === "object" && m !== null ? (m as { kind?: unknown }).kind : undefined;
  if (kind === "reset") {
    loopDelay.reset();
    Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
  } else if (kind === "stats") {
    const totals = aggregator.totals(runId);
    process.send?.({
      kind: "stats",
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      gcCount: gc.count,
      gcTotalMs: gc.totalMs,
      gcMaxMs: gc.maxMs,
      observed: (totals?.baseline.requests ?? 0) + (totals?.canary.requests ?? 0),
    });
  }
});

exitWithParent(async () => {
  clearInterval(roll);
  gcObserver.disconnect();
  await router.stop(500);
});
const address = router.address();
process.send?.({ kind: "listening", url: address?.url });
