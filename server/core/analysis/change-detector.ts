/**
 * A sequential change detector for a rate of "bad" events (errors, slow requests, missed
 * conversions): it asks "has the canary's bad rate risen above p0 since *some* moment?", not only
 * "since the step began", so a fault that starts late is caught as fast as one present from the
 * start (STATISTICS.md "Faults start late"; Shin, Ramdas & Rinaldo, "E-detectors", 2022).
 *
 * It is a weighted Shiryaev–Roberts sum of Bernoulli mixture e-processes, each started at a
 * candidate change point:
 *
 *     R = Σ_m  w_m · Λ_m,    Λ_m = ∫ (p/p0)^k_m · ((1−p)/(1−p0))^(n_m−k_m) dπ(p)
 *
 * where (n_m, k_m) count the requests since candidate m began. Candidate 1 starts with the step;
 * a new candidate starts after every batch that held a bad event (a fault shows itself by bad
 * events, so that is where a change can have begun — and the choice only uses data the new
 * candidate does not count). Candidate m weighs w_m = 1/(m(m+1)), so Σ w_m = 1 whatever happens:
 * under any rate ≤ p0, R plus the weight not yet handed out is a nonnegative supermartingale
 * starting at 1, and by Ville's inequality P(R ever reaches 1/α) ≤ α — for the whole step,
 * however long it is watched. The price of not knowing the onset is log(m(m+1)) nats for the
 * m-th candidate: small while a healthy canary rarely errs, larger when bad events are common.
 *
 * Dropping a candidate only lowers R, so candidates that no longer matter are pruned (bounded
 * memory, same guarantee). Everything here is pure; the state is plain data that replays exactly.
 */

/** Grid points of the prior over alternatives. */
const GRID_SIZE = 64;
/** Candidates kept at most; the weakest are dropped (which only lowers R). */
const MAX_CANDIDATES = 32;
/** Change points whose evidence is within this many nats of the likeliest one are plausible onsets. */
const PLAUSIBLE_NATS = 2;
/** A candidate whose weighted evidence is this many nats below the threshold is dropped. */
const PRUNE_NATS = 15;

/** One candidate change point: requests counted since it began. */
export type Candidate = {
  /** its index m (1 = the step's start); weight 1/(m(m+1)) */
  m: number;
  /** epoch ms when it began counting */
  since: number;
  /** requests (or attempts) since then */
  n: number;
  /** of which bad */
  k: number;
  /** log Λ for (n, k), kept so a reading costs nothing */
  logL: number;
};

/** The detector's whole state: replaying the same batches gives the same state, bit for bit. */
export type DetectorState = {
  /** the null hypothesis: P(bad) ≤ p0 */
  p0: number;
  /** live candidates, oldest first */
  candidates: Candidate[];
  /** how many candidates have been started so far */
  started: number;
};

/** One evaluation's worth of new observations. */
export type DetectorBatch = { n: number; k: number; at: number };

/** The detector's reading: the statistic and the window that carries most of it. */
export type DetectorReading = {
  /** log R: the evidence that the bad rate has risen above p0 (0 or below: none) */
  logR: number;
  /** the likeliest change point and what it holds: "since 06:40:02, 23 bad of 48"; null before data */
  strongest: Candidate | null;
};

type Mixture = { logUp: Float64Array; logDown: Float64Array; logPrior: Float64Array };
const mixtures = new Map<number, Mixture>();

/**
 * The alternatives averaged over: log-spaced from 1.25·p0 (a rise too small to matter costs
 * power, not safety) to max(0.5, 50·p0) capped at 0.6, with a log-normal prior centred on 5·p0
 * (sd 1.2 in log space) — a fault is usually a multiple of the threshold, not a hair above it.
 * For p0 above 0.4 (a business metric, where bad = "did not convert") the grid mirrors in 1 − p.
 */
export function changeGrid(p0: number): { grid: number[]; prior: number[] } {
  if (!(p0 > 0 && p0 < 1)) throw new RangeError(`p0 must lie strictly between 0 and 1, got ${p0}`);
  const logSpaced = (from: number, to: number) =>
    Array.from({ length: GRID_SIZE }, (_, i) => Math.exp(Math.log(from) + ((Math.log(to) - Math.log(from)) * i) / (GRID_SIZE - 1)));
  const weights = (points: number[], centre: number) => {
    const raw = points.map((x) => Math.exp(-((Math.log(x) - Math.log(centre)) ** 2) / (2 * 1.2 * 1.2)));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / total);
  };
  if (p0 <= 0.4) {
    const top = Math.min(0.6, Math.max(0.5, 50 * p0));
    const grid = logSpaced(1.25 * p0, Math.max(top, 1.3 * p0));
    return { grid, prior: weights(grid, Math.min(3 * p0, top)) };
  }
  // Mirrored: q = 1 − p, the share that converts, from q0/1.25 down to q0/50, centred on q0/2.
  const q0 = 1 - p0;
  const qs = logSpaced(q0 / 1.25, q0 / 50);
  const prior = weights(qs, q0 / 2);
  return { grid: qs.map((q) => 1 - q), prior };
}

function mixtureFor(p0: number): Mixture {
  const hit = mixtures.get(p0);
  if (hit) return hit;
  const { grid, prior } = changeGrid(p0);
  const made: Mixture = {
    logUp: Float64Array.from(grid, (p) => Math.log(p / p0)),
    logDown: Float64Array.from(grid, (p) => Math.log((1 - p) / (1 - p0))),
    logPrior: Float64Array.from(prior, (w) => Math.log(w)),
  };
  if (mixtures.size >= 128) mixtures.delete(mixtures.keys().next().value as number);
  mixtures.set(p0, made);
  return made;
}

/** log Λ for n requests with k bad: the prior-weighted mixture of likelihood ratios (log-sum-exp). */
export function logMixture(p0: number, n: number, k: number): number {
  if (n === 0) return 0;
  const { logUp, logDown, logPrior } = mixtureFor(p0);
  const good = n - k;
  let max = -Infinity;
  for (let i = 0; i < GRID_SIZE; i++) {
    const term = (logPrior[i] ?? 0) + k * (logUp[i] ?? 0) + good * (logDown[i] ?? 0);
    if (term > max) max = term;
  }
  let sum = 0;
  for (let i = 0; i < GRID_SIZE; i++) sum += Math.exp((logPrior[i] ?? 0) + k * (logUp[i] ?? 0) + good * (logDown[i] ?? 0) - max);
  return max + Math.log(sum);
}

const logWeight = (m: number) => -Math.log(m) - Math.log(m + 1);

/** A detector at the start of a step: one candidate, beginning now. */
export function startDetector(p0: number, at: number): DetectorState {
  if (!(p0 > 0 && p0 < 1)) throw new RangeError(`p0 must lie strictly between 0 and 1, got ${p0}`);
  return { p0, candidates: [{ m: 1, since: at, n: 0, k: 0, logL: 0 }], started: 1 };
}

/** The statistic and its strongest window. */
export function readDetector(state: DetectorState): DetectorReading {
  let max = -Infinity;
  let best = -Infinity;
  const terms = state.candidates.map((c) => {
    const term = logWeight(c.m) + c.logL;
    if (term > max) max = term;
    if (c.n > 0 && c.logL > best) best = c.logL;
    return term;
  });
  if (terms.length === 0) return { logR: -Infinity, strongest: null };
  // The window shown is the latest plausible change point: the newest candidate whose Λ is within
  // e² of the likeliest one (a profile-likelihood set for the onset, as CUSUM reads it). "Since
  // 06:40:02" then starts where the bad events start, so its rate matches the chart.
  let strongest: Candidate | null = null;
  for (const c of state.candidates) if (c.n > 0 && c.logL >= best - PLAUSIBLE_NATS) strongest = c;
  const sum = terms.reduce((s, t) => s + Math.exp(t - max), 0);
  return { logR: max + Math.log(sum), strongest };
}

/**
 * Adds one batch: every candidate counts it; if it held a bad event, a new candidate begins
 * after it. Candidates far below the threshold (logThreshold) are dropped.
 */
export function advanceDetector(state: DetectorState, batch: DetectorBatch, logThreshold: number): DetectorState {
  const { n, k } = batch;
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`need integers 0 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  if (n === 0) return state;
  let candidates = state.candidates.map((c) => ({ ...c, n: c.n + n, k: c.k + k, logL: logMixture(state.p0, c.n + n, c.k + k) }));
  let started = state.started;
  if (k > 0) {
    started += 1;
    candidates.push({ m: started, since: batch.at, n: 0, k: 0, logL: 0 });
  }
  const floor = logThreshold - PRUNE_NATS;
  const scored = candidates.map((c) => ({ c, term: logWeight(c.m) + c.logL }));
  let kept = scored.filter((s) => s.term >= floor || s.c.n === 0);
  if (kept.length > MAX_CANDIDATES) {
    const cut = [...kept].sort((a, b) => b.term - a.term)[MAX_CANDIDATES - 1]?.term ?? -Infinity;
    kept = kept.filter((s) => s.term >= cut).slice(-MAX_CANDIDATES);
  }
  candidates = kept.map((s) => s.c);
  return { p0: state.p0, candidates, started };
}
