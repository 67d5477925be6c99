/**
 * A canary in accelerated, simulated time: Poisson request arrivals with a true error rate and a
 * latency distribution, judged by `evaluateAll` every 250 ms of simulated time, as the engine
 * would. Seeded, so a test or benchmark run is reproducible. Pure: no clock, no Math.random.
 */
import { evaluateAll } from "./evaluate.ts";
import { defaultAnalysisConfig, emptyTotals, type AnalysisConfig, type Evaluation, type LatencyQuantile, type LatencyTrigger, type WindowTotals } from "./triggers.ts";

/** Both sides' latency: lognormal, the canary's scaled by a multiplier. */
export type LatencyModel = {
  /** baseline median latency, ms; default 100 */
  baselineMedianMs: number;
  /** log-scale spread of the lognormal (both sides); default 0.5 */
  sigma: number;
  /** canary latency = a baseline-distributed draw × this; 1 = same distribution; default 1 */
  canaryMultiplier: number;
};

/** What to simulate. Only the seed, traffic, error rate and duration are required. */
export type CanaryScenario = {
  /** PRNG seed; the same seed replays the same requests */
  seed: number;
  /** canary requests per second (Poisson arrivals) */
  requestsPerSecond: number;
  /** the canary's true probability that a request fails */
  errorRate: number;
  /** how long to watch, simulated ms */
  durationMs: number;
  /** the canary's latency against the baseline's; default: same distribution */
  latency?: Partial<LatencyModel>;
  /** how often the engine evaluates, simulated ms; default 250 */
  evaluateEveryMs?: number;
  /** the triggers; default: the procedure's */
  config?: AnalysisConfig;
  /** baseline requests per second, for the baseline's figures only; default 19 × the canary's (a 5% step) */
  baselineRequestsPerSecond?: number;
  /** baseline error rate, for its figures only; default 0.001 */
  baselineErrorRate?: number;
};

/** How the simulated canary fared. */
export type SimulationResult = {
  /** simulated ms from the step's start to the first rollback verdict; null: not rolled back */
  detectedAtMs: number | null;
  /** simulated ms to the first hold verdict (a hold does not end the watch); null: never held */
  heldAtMs: number | null;
  /** the evaluation that rolled back; null when none did */
  rollback: Evaluation | null;
  /** canary requests served until the rollback, or the end */
  requests: number;
  /** canary errors among them */
  errors: number;
};

/** mulberry32: a tiny, fast, seeded 32-bit PRNG; returns uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Standard normal quantiles, for the baseline's p95 and p99 of a lognormal.
const Z: Record<LatencyQuantile, number> = { 0.95: 1.6448536269514722, 0.99: 2.3263478740408408 };

/** The baseline's latency quantile under the model, ms (what the baseline's sketch would report). */
export function baselineQuantileMs(model: LatencyModel, quantile: LatencyQuantile): number {
  return model.baselineMedianMs * Math.exp(model.sigma * Z[quantile]);
}

/**
 * Runs the scenario until a rollback or the end of the duration. Evaluation happens at each
 * 250 ms tick in which a bad event (error or slow request) arrived: E falls with every good
 * request, so a tick without one cannot cross a threshold and skipping it changes no detection
 * time; it keeps 30-minute A/A runs fast.
 */
export function simulateCanary(scenario: CanaryScenario): SimulationResult {
  const config = scenario.config ?? defaultAnalysisConfig();
  const every = scenario.evaluateEveryMs ?? 250;
  const model: LatencyModel = { baselineMedianMs: 100, sigma: 0.5, canaryMultiplier: 1, ...scenario.latency };
  const baselineRps = scenario.baselineRequestsPerSecond ?? 19 * scenario.requestsPerSecond;
  const baselineErrorRate = scenario.baselineErrorRate ?? 0.001;
  const random = mulberry32(scenario.seed);

  const factorFor = (quantile: LatencyQuantile) =>
    config.triggers.find((t): t is LatencyTrigger => t.kind === "latency" && t.quantile === quantile)?.factor ?? 1.5;
  const p95 = baselineQuantileMs(model, 0.95);
  const p99 = baselineQuantileMs(model, 0.99);
  const slow95Ms = factorFor(0.95) * p95;
  const slow99Ms = factorFor(0.99) * p99;
  const canaryMedianMs = model.baselineMedianMs * model.canaryMultiplier;

  const meanGapMs = 1000 / scenario.requestsPerSecond;
  const nextGap = () => -Math.log(1 - random()) * meanGapMs;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

  let nextArrivalMs = nextGap();
  let requests = 0;
  let errors = 0;
  let slow95 = 0;
  let slow99 = 0;
  let heldAtMs: number | null = null;

  for (let tick = every; tick <= scenario.durationMs; tick += every) {
    let fresh = false;
    while (nextArrivalMs <= tick) {
      requests += 1;
      if (random() < scenario.errorRate) {
        errors += 1;
        fresh = true;
      }
      const latencyMs = canaryMedianMs * Math.exp(model.sigma * normal());
      if (latencyMs > slow95Ms) {
        slow95 += 1;
        fresh = true;
      }
      if (latencyMs > slow99Ms) {
        slow99 += 1;
        fresh = true;
      }
      nextArrivalMs += nextGap();
    }
    if (!fresh) continue;

    const baselineRequests = Math.round((baselineRps * tick) / 1000);
    const empty = emptyTotals();
    const totals: WindowTotals = {
      ...empty,
      baseline: { ...empty.baseline, requests: baselineRequests, errors: Math.round(baselineRequests * baselineErrorRate), latencyMs: { p95, p99 } },
      canary: { ...empty.canary, requests, errors },
      canarySlowerThan: { p95: { thresholdMs: slow95Ms, count: slow95 }, p99: { thresholdMs: slow99Ms, count: slow99 } },
    };
    const result = evaluateAll(config, totals);
    if (result.verdict === "rollback") {
      return { detectedAtMs: tick, heldAtMs, rollback: result.decidedBy, requests, errors };
    }
    if (result.verdict === "hold" && heldAtMs === null) heldAtMs = tick;
  }
  return { detectedAtMs: null, heldAtMs, rollback: null, requests, errors };
}
