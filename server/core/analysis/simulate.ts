/**
 * A canary step in accelerated, simulated time: Poisson request arrivals with an error rate and a
 * latency distribution that may change at an onset (a fault that starts late), judged by the
 * real `evaluateStep` batch by batch, as the analysis loop does. Seeded, so a test or benchmark
 * run is reproducible. Pure: no clock, no Math.random.
 */
import { latencyThresholds } from "./sequential-tests.ts";
import { evaluateStep, startStep, type StepSession } from "./step-analysis.ts";
import { defaultAnalysisConfig, emptyTotals, type AnalysisConfig, type CanaryBatch, type LatencyQuantile, type LatencyTestId, type WindowTotals } from "./triggers.ts";
import type { Evaluation } from "./evaluation.ts";

/** Both sides' latency: lognormal, the canary's scaled by a multiplier (after the onset). */
export type LatencyModel = {
  /** baseline median latency, ms; default 100 */
  baselineMedianMs: number;
  /** log-scale spread of the lognormal (both sides); default 0.5 */
  sigma: number;
  /** faulty canary latency = a baseline-distributed draw × this; 1 = same distribution; default 1 */
  canaryMultiplier: number;
  /** a slow tail: this share of faulty canary requests is `tailMultiplier` × slower; default none */
  tailShare: number;
  tailMultiplier: number;
};

/** What to simulate. Only the seed, traffic, error rate and duration are required. */
export type CanaryScenario = {
  /** PRNG seed; the same seed replays the same requests */
  seed: number;
  /** canary requests per second (Poisson arrivals) */
  requestsPerSecond: number;
  /** the canary's probability that a request fails, from the onset on */
  errorRate: number;
  /** how long to watch, simulated ms */
  durationMs: number;
  /** when the fault (errorRate, latency) begins, ms after the step's start; default 0 */
  onsetMs?: number;
  /** the canary's error rate before the onset; default 0.001 */
  healthyErrorRate?: number;
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
  /** which step of how many (the α split); default the first of three */
  stepIndex?: number;
  stepCount?: number;
  /** judge health (for promotion) this often, simulated ms; default never (detection only, faster) */
  judgeHealthEveryMs?: number;
  /**
   * Which verdicts must be timed exactly: "all" (default) evaluates after every bad event;
   * "rollback" only after events a rollback test counts (a hold may then be seen late), which
   * makes long healthy canaries several times cheaper.
   */
  watch?: "all" | "rollback";
};

/** How the simulated canary fared. */
export type SimulationResult = {
  /** simulated ms from the step's start to the first rollback verdict; null: not rolled back */
  detectedAtMs: number | null;
  /** simulated ms to the first hold verdict (a hold does not end the watch); null: never held */
  heldAtMs: number | null;
  /** simulated ms to the first "pass" (health shown); null: never, or health not judged */
  promotableAtMs: number | null;
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
export function baselineQuantileMs(model: Pick<LatencyModel, "baselineMedianMs" | "sigma">, quantile: LatencyQuantile): number {
  return model.baselineMedianMs * Math.exp(model.sigma * Z[quantile]);
}

const LATENCY_TESTS: readonly LatencyTestId[] = ["latency-p95", "latency-p95-hold", "latency-p99"];

/**
 * Runs the scenario until a rollback or the end. A batch without a bad event (error or request
 * slower than some threshold) can neither raise the detectors nor start a candidate, so such
 * batches are merged into the next one: detection times are those of evaluating every tick, and
 * a 30-minute healthy canary simulates in milliseconds.
 */
export function simulateCanary(scenario: CanaryScenario): SimulationResult {
  const config = scenario.config ?? defaultAnalysisConfig();
  const every = scenario.evaluateEveryMs ?? 250;
  const model: LatencyModel = { baselineMedianMs: 100, sigma: 0.5, canaryMultiplier: 1, tailShare: 0, tailMultiplier: 1, ...scenario.latency };
  const onset = scenario.onsetMs ?? 0;
  const healthyErrorRate = scenario.healthyErrorRate ?? 0.001;
  const baselineRps = scenario.baselineRequestsPerSecond ?? 19 * scenario.requestsPerSecond;
  const baselineErrorRate = scenario.baselineErrorRate ?? 0.001;
  const healthEvery = scenario.judgeHealthEveryMs ?? Infinity;
  const watchHolds = (scenario.watch ?? "all") === "all";
  const random = mulberry32(scenario.seed);

  const p95 = baselineQuantileMs(model, 0.95);
  const p99 = baselineQuantileMs(model, 0.99);
  const thresholds = latencyThresholds(config, { p95, p99 });
  const meanGapMs = 1000 / scenario.requestsPerSecond;
  const nextGap = () => -Math.log(1 - random()) * meanGapMs;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

  let session: StepSession = startStep(scenario.stepIndex ?? 0, scenario.stepCount ?? 3, 0);
  let nextArrivalMs = nextGap();
  let requests = 0;
  let errors = 0;
  let pending = { requests: 0, errors: 0, slow: new Map<LatencyTestId, number>() };
  let heldAtMs: number | null = null;
  let promotableAtMs: number | null = null;
  let nextHealthAt = healthEvery;

  for (let tick = every; tick <= scenario.durationMs; tick += every) {
    let fresh = false;
    while (nextArrivalMs <= tick) {
      const faulty = nextArrivalMs >= onset;
      requests += 1;
      pending.requests += 1;
      if (random() < (faulty ? scenario.errorRate : healthyErrorRate)) {
        errors += 1;
        pending.errors += 1;
        fresh = true;
      }
      let latencyMs = model.baselineMedianMs * Math.exp(model.sigma * normal());
      if (faulty) latencyMs *= model.canaryMultiplier * (random() < model.tailShare ? model.tailMultiplier : 1);
      for (const id of LATENCY_TESTS) {
        const limit = thresholds[id];
        if (limit !== undefined && latencyMs > limit) {
          pending.slow.set(id, (pending.slow.get(id) ?? 0) + 1);
          if (watchHolds || id !== "latency-p95-hold") fresh = true;
        }
      }
      nextArrivalMs += nextGap();
    }
    const judgeHealth = tick >= nextHealthAt;
    if (!fresh && !judgeHealth) continue;
    if (judgeHealth) nextHealthAt += healthEvery;

    const baselineRequests = Math.round((baselineRps * tick) / 1000);
    const empty = emptyTotals();
    const totals: WindowTotals = {
      ...empty,
      baseline: { ...empty.baseline, requests: baselineRequests, errors: Math.round(baselineRequests * baselineErrorRate), latencyMs: { p95, p99 } },
      canary: { ...empty.canary, requests, errors },
    };
    const slowerThan: CanaryBatch["slowerThan"] = {};
    for (const id of LATENCY_TESTS) {
      const limit = thresholds[id];
      if (limit !== undefined) slowerThan[id] = { thresholdMs: limit, count: pending.slow.get(id) ?? 0 };
    }
    const batch: CanaryBatch = { at: tick, requests: pending.requests, errors: pending.errors, attempts: 0, conversions: 0, slowerThan };
    pending = { requests: 0, errors: 0, slow: new Map() };
    const step = evaluateStep(config, session, batch, totals, { health: judgeHealth });
    session = step.session;
    const { result } = step;
    if (result.verdict === "rollback") return { detectedAtMs: tick, heldAtMs, promotableAtMs, rollback: result.decidedBy, requests, errors };
    if (result.verdict === "hold" && heldAtMs === null) heldAtMs = tick;
    if (judgeHealth && result.verdict === "pass" && promotableAtMs === null) promotableAtMs = tick;
  }
  return { detectedAtMs: null, heldAtMs, promotableAtMs, rollback: null, requests, errors };
}
