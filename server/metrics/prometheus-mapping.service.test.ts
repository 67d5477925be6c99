import { describe, expect, it } from "vitest";
import { DURATION_BUCKETS_S } from "../../demo/sample-app.ts";
import { NO_CARRY, requestsFromWindow, type LatencyBucket, type WindowCarry } from "../core/analysis/histogram-window.ts";
import { mulberry32 } from "../core/analysis/simulate.ts";
import { evaluateStep, startStep, type StepSession } from "../core/analysis/step-analysis.ts";
import { defaultAnalysisConfig } from "../core/analysis/triggers.ts";
import { MetricsAggregator } from "./aggregator.ts";
import type { Side } from "./types.ts";

// The same simulated requests judged twice by the real aggregator and analysis: once request by
// request (as a router feeds them) and once as Prometheus would report them — per 5 s window, a
// request count, an error count and the demo's histogram buckets, mapped back to requests by
// histogram-window.ts. The verdicts should agree; the Prometheus feed may only be later.

const POLL_MS = 5_000;
const SETTLE_MS = 1_500;
const TICK_MS = 250;
const DURATION_MS = 120_000;
const config = defaultAnalysisConfig();

type Scenario = { canaryErrorRate: number; canaryLatencyFactor: number };
type Outcome = { rolledBackAt: number | null; trigger: string | null };

/** Requests of one simulated step: baseline 190/s, canary 10/s (a 5% step), latency lognormal around 9 ms like the demo's. */
function requests(seed: number, s: Scenario): { at: number; side: Side; status: number; latencyMs: number }[] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out: { at: number; side: Side; status: number; latencyMs: number }[] = [];
  for (const [side, rps] of [["baseline", 190], ["canary", 10]] as const) {
    for (let at = -Math.log(1 - random()) * (1000 / rps); at < DURATION_MS; at += -Math.log(1 - random()) * (1000 / rps)) {
      const canary = side === "canary";
      const failed = random() < (canary ? s.canaryErrorRate : 0.001);
      const latencyMs = 9 * Math.exp(0.35 * normal()) * (canary ? s.canaryLatencyFactor : 1);
      out.push({ at, side, status: failed ? 500 : 200, latencyMs });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Runs the analysis every 250 ms over what `feed` put into the aggregator by then. */
function judge(feed: (agg: MetricsAggregator, upTo: number) => void): Outcome {
  let now = 0;
  const agg = new MetricsAggregator(() => now);
  agg.startStep("run", 0);
  let session: StepSession = startStep(0, 3, 0);
  for (now = TICK_MS; now <= DURATION_MS; now += TICK_MS) {
    feed(agg, now);
    const input = agg.takeAnalysisInput("run", config);
    if (!input) throw new Error("run not watched");
    const step = evaluateStep(config, session, { ...input.batch, at: now }, input.totals);
    session = step.session;
    if (step.result.verdict === "rollback") return { rolledBackAt: now, trigger: step.result.decidedBy?.trigger ?? null };
  }
  return { rolledBackAt: null, trigger: null };
}

function routerFed(all: ReturnType<typeof requests>): Outcome {
  let i = 0;
  return judge((agg, upTo) => {
    for (; i < all.length && (all[i]?.at ?? Infinity) <= upTo; i++) {
      const r = all[i];
      if (r) agg.observeRequest({ runId: "run", side: r.side, status: r.status, latencyMs: r.latencyMs });
    }
  });
}

function prometheusFed(all: ReturnType<typeof requests>): Outcome {
  const carry: Record<Side, WindowCarry> = { baseline: NO_CARRY, canary: NO_CARRY };
  let windowEnd = POLL_MS;
  return judge((agg, upTo) => {
    // A window is queried once its end plus the settle time has passed, as the poller does.
    for (; windowEnd + SETTLE_MS <= upTo; windowEnd += POLL_MS) {
      for (const side of ["baseline", "canary"] as const) {
        const inWindow = all.filter((r) => r.side === side && r.at > windowEnd - POLL_MS && r.at <= windowEnd);
        const buckets: LatencyBucket[] = [...DURATION_BUCKETS_S, Infinity].map((le) => ({ le, count: inWindow.filter((r) => r.latencyMs / 1000 <= le).length }));
        const out = requestsFromWindow({ requests: inWindow.length, errors: inWindow.filter((r) => r.status >= 500).length, buckets }, carry[side]);
        carry[side] = out.carry;
        for (const r of out.requests) agg.observeRequest({ runId: "run", side, status: r.status, latencyMs: r.latencyMs });
      }
    }
  });
}

const SEEDS = Array.from({ length: 8 }, (_, i) => 100 + i);

describe("an analysis fed from Prometheus histograms reaches the router-fed verdicts", () => {
  it.each([
    ["a clean canary: neither rolls back", { canaryErrorRate: 0.001, canaryLatencyFactor: 1 }, null],
    ["a canary failing 20% of requests: both roll back for error rate", { canaryErrorRate: 0.2, canaryLatencyFactor: 1 }, "error-rate"],
    ["a canary with a doubled p95: both roll back for latency", { canaryErrorRate: 0.001, canaryLatencyFactor: 2 }, "latency"],
  ] as const)("%s", (_name, scenario, expected) => {
    for (const seed of SEEDS) {
      const all = requests(seed, scenario);
      const router = routerFed(all);
      const prom = prometheusFed(all);
      if (expected === null) {
        expect(router.rolledBackAt, `seed ${seed} router`).toBeNull();
        expect(prom.rolledBackAt, `seed ${seed} prometheus`).toBeNull();
        continue;
      }
      expect(router.trigger?.startsWith(expected), `seed ${seed} router: ${router.trigger}`).toBe(true);
      expect(prom.trigger?.startsWith(expected), `seed ${seed} prometheus: ${prom.trigger}`).toBe(true);
      // Later by at most the poll delay (a window plus the settle time) and one more window of evidence.
      expect((prom.rolledBackAt ?? Infinity) - (router.rolledBackAt ?? 0)).toBeLessThanOrEqual(2 * POLL_MS + SETTLE_MS);
    }
  });
});
