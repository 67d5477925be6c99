/**
 * The demo fleet on its own, without the control room:
 *   node --import tsx demo/start-fleet.ts [--weight 5] [--rps 20] [--router-port 0]
 * Prints one JSON line with the router URL and the service PIDs, then a per-side summary of
 * what the router observed every 5 s. Ctrl-C stops everything.
 */
import { parseArgs } from "node:util";
import type { RequestObservation, Side } from "../server/metrics/types.ts";
import { startDemoFleet } from "./fleet.ts";

const { values } = parseArgs({
  options: {
    weight: { type: "string", default: "5" },
    rps: { type: "string", default: "20" },
    "router-port": { type: "string", default: "0" },
    baseline: { type: "string", default: "1.4.2" },
    canary: { type: "string", default: "1.5.0" },
    quiet: { type: "boolean", default: false },
  },
});

const totals: Record<Side, { requests: number; errors: number; latencyMs: number }> = {
  baseline: { requests: 0, errors: 0, latencyMs: 0 },
  canary: { requests: 0, errors: 0, latencyMs: 0 },
};
const sink = {
  observeRequest(o: RequestObservation) {
    const t = totals[o.side];
    t.requests++;
    if (o.status >= 500) t.errors++;
    t.latencyMs += o.latencyMs;
  },
};

const fleet = await startDemoFleet({
  baselineVersion: values.baseline,
  canaryVersion: values.canary,
  routerPort: Number(values["router-port"]),
  rps: Number(values.rps),
  sink,
});
const target = { runId: "demo", service: "checkout", environment: "staging" as const, baseline: values.baseline, canary: values.canary };
await fleet.router.setWeight(target, Number(values.weight));
console.log(JSON.stringify({ url: fleet.url, pids: { parent: process.pid, baseline: fleet.services.baseline.pid, canary: fleet.services.canary.pid } }));

if (!values.quiet) {
  setInterval(() => {
    const line = (["baseline", "canary"] as const).map((side) => {
      const t = totals[side];
      return `${side} ${t.requests} req, ${t.errors} err, mean ${t.requests ? (t.latencyMs / t.requests).toFixed(1) : "-"} ms`;
    });
    console.log(line.join(" | "));
  }, 5_000).unref();
}

const shutdown = () => {
  void fleet.stop().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
