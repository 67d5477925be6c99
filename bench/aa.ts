/**
 * A/A: healthy canaries (the same version on both sides) watched for a whole 5% step in
 * accelerated, seeded time, judged exactly as the AnalysisLoop judges a live run: requests go
 * through a real MetricsAggregator (DDSketch latencies, so the baseline's p95 is an estimate
 * that starts noisy, as in production), and `evaluateStep(analysisFor("production"), …)` takes
 * the aggregator's batch every 250 simulated ms. Any rollback verdict is a false rollback.
 */
import { evaluateStep, startStep } from "../server/core/analysis/step-analysis.ts";
import { mulberry32, simulateCanary } from "../server/core/analysis/simulate.ts";
import { analysisFor } from "../server/core/policy.ts";
import { MetricsAggregator } from "../server/metrics/aggregator.ts";

export type AaOptions = {
  runs: number;
  minutes: number;
  /** canary requests per second (5% of the total) */
  canaryRps: number;
  /** baseline requests per second (95% of the total) */
  baselineRps: number;
  /** both sides' true error rate */
  errorRate: number;
  /** both sides' latency: lognormal around medianMs, like the demo service behind the router */
  medianMs: number;
  sigma: number;
  evaluateEveryMs: number;
};

export type AaFigures = {
  runs: number;
  false_rollbacks: number;
  /** runs that ever held for a human (the 0.1% error hold level): not rollbacks, for context */
  held: number;
  triggers: Record<string, number>;
  /** the same count from simulateCanary (analytic baseline quantiles), as a cross-check */
  crossCheck: { runs: number; false_rollbacks: number };
  seconds: number;
};

/** Poisson draw (Knuth; λ here is at most a few dozen per tick). */
function poisson(lambda: number, random: () => number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** One healthy canary; returns the trigger that rolled it back (null: none) and whether it held. */
export function simulateHealthyStep(seed: number, o: AaOptions): { rollback: string | null; held: boolean } {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let now = 0;
  const aggregator = new MetricsAggregator(() => now);
  const runId = `aa-${seed}`;
  aggregator.startStep(runId, 0);
  const config = analysisFor("production");
  const observation = { runId, side: "baseline" as "baseline" | "canary", status: 200, latencyMs: 0 };
  const serve = (side: "baseline" | "canary", count: number) => {
    observation.side = side;
    for (let i = 0; i < count; i++) {
      observation.status = random() < o.errorRate ? 500 : 200;
      observation.latencyMs = Math.min(200, o.medianMs * Math.exp(o.sigma * normal()));
      aggregator.observeRequest(observation);
    }
  };
  const tick = o.evaluateEveryMs / 1_000;
  let held = false;
  let session = startStep(0, 3, 0);
  const end = o.minutes * 60_000;
  for (now = o.evaluateEveryMs; now <= end; now += o.evaluateEveryMs) {
    serve("baseline", poisson(o.baselineRps * tick, random));
    serve("canary", poisson(o.canaryRps * tick, random));
    // The loop also rolls 1 s points and 10 s windows; without it the per-second sketches grow.
    if (now % 1_000 === 0) aggregator.rollSecond();
    if (now % 10_000 === 0) aggregator.rollWindows();
    const input = aggregator.takeAnalysisInput(runId, config);
    if (!input) continue;
    const { totals, batch } = input;
    // Detection only: the confidence bound (promotion) does not change a rollback verdict.
    const step = evaluateStep(config, session, batch, totals, { health: false });
    session = step.session;
    if (step.result.verdict === "rollback") return { rollback: step.result.decidedBy?.trigger ?? "unknown", held };
    if (step.result.verdict === "hold") held = true;
  }
  return { rollback: null, held };
}

export function benchAa(o: AaOptions, log: (line: string) => void): AaFigures {
  const started = performance.now();
  let falseRollbacks = 0;
  let held = 0;
  const triggers: Record<string, number> = {};
  for (let i = 0; i < o.runs; i++) {
    const r = simulateHealthyStep(1_000 + i, o);
    if (r.held) held++;
    if (r.rollback) {
      falseRollbacks++;
      triggers[r.rollback] = (triggers[r.rollback] ?? 0) + 1;
    }
    if ((i + 1) % 25 === 0) log(`aa: ${i + 1}/${o.runs} healthy canaries, ${falseRollbacks} rolled back`);
  }
  // Cross-check with the project's own simulator (analytic baseline quantiles).
  const crossRuns = 200;
  let crossFalse = 0;
  for (let i = 0; i < crossRuns; i++) {
    const r = simulateCanary({
      seed: 50_000 + i,
      requestsPerSecond: o.canaryRps,
      errorRate: o.errorRate,
      baselineErrorRate: o.errorRate,
      durationMs: o.minutes * 60_000,
      latency: { baselineMedianMs: o.medianMs, sigma: o.sigma, canaryMultiplier: 1 },
      config: analysisFor("production"),
    });
    if (r.detectedAtMs !== null) crossFalse++;
  }
  return {
    runs: o.runs,
    false_rollbacks: falseRollbacks,
    held,
    triggers,
    crossCheck: { runs: crossRuns, false_rollbacks: crossFalse },
    seconds: (performance.now() - started) / 1_000,
  };
}
