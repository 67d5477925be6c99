/**
 * The one-sided Bernoulli mixture e-process of STATISTICS.md: evidence that the canary's rate of
 * "bad" events (errors, slow requests, missed conversions) is above p0.
 *
 *     E(n, k) = ∫ (p/p0)^k · ((1−p)/(1−p0))^(n−k) dπ(p)     over p in (p0, 1)
 *
 * Under any true rate p ≤ p0 this is a nonnegative supermartingale with E(0, 0) = 1, so by Ville's
 * inequality P(E ever reaches 1/α) ≤ α: it may be checked after every request, forever, and still
 * holds its false-alarm rate. The state is just (n, k); everything here is pure.
 */

/** Grid points per e-process: "a few hundred" (STATISTICS.md). More adds cost, not power. */
export const DEFAULT_GRID_SIZE = 300;

/** An e-process for one p0 with its grid's log ratios precomputed, so each evaluation is O(grid). */
export type EProcess = {
  /** the null hypothesis: P(bad) ≤ p0 */
  readonly p0: number;
  /** the alternatives p > p0 averaged over, ascending, equal prior weight each */
  readonly grid: readonly number[];
  /** log E after n requests of which k were bad; 0 (E = 1) before any request */
  logE(n: number, k: number): number;
};

/**
 * The alternatives the mixture averages over: `size` points log-uniform between 1.05·p0 and 0.99
 * (STATISTICS.md). Above p0 = ½ (a business metric, where bad = "did not convert" and p0 is close
 * to 1) that range is empty or tiny, so the grid mirrors: log-uniform in 1 − p, from (1−p0)/1.05
 * down to (1−p0)/100, i.e. from a 5% relative drop in conversions to near-total loss.
 */
export function alternativesGrid(p0: number, size: number = DEFAULT_GRID_SIZE): number[] {
  assertProbability(p0, "p0");
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`grid size must be an integer ≥ 2, got ${size}`);
  const logUniform = (from: number, to: number) =>
    Array.from({ length: size }, (_, i) => Math.exp(Math.log(from) + ((Math.log(to) - Math.log(from)) * i) / (size - 1)));
  if (p0 <= 0.5) return logUniform(1.05 * p0, 0.99);
  const q0 = 1 - p0;
  return logUniform(q0 / 1.05, q0 / 100)
    .map((q) => 1 - q)
    .sort((a, b) => a - b);
}

/** Builds the e-process for p0 over `alternativesGrid(p0, size)`. */
export function createEProcess(p0: number, size: number = DEFAULT_GRID_SIZE): EProcess {
  const grid = alternativesGrid(p0, size);
  const ratios = logRatios(p0, grid);
  return {
    p0,
    grid,
    logE: (n, k) => {
      assertCounts(n, k);
      return mixture(n, k, ratios);
    },
  };
}

/**
 * log E(n, k) for an arbitrary grid of alternatives (each in (p0, 1)), without precomputation.
 * Prefer `createEProcess` / `eProcessFor` when evaluating the same p0 repeatedly.
 */
export function logE(n: number, k: number, p0: number, grid: readonly number[]): number {
  assertProbability(p0, "p0");
  assertCounts(n, k);
  if (grid.length === 0) throw new RangeError("grid must not be empty");
  for (const p of grid) {
    if (!(p > p0 && p < 1)) throw new RangeError(`grid point ${p} must lie in (p0, 1) = (${p0}, 1)`);
  }
  return mixture(n, k, logRatios(p0, grid));
}

// A few dozen distinct p0 values are live at once (one per trigger level, plus the business
// metric's, which moves with the baseline). Bounded so a long-running engine does not grow it.
const MEMO_LIMIT = 128;
const processes = new Map<number, EProcess>();
const required = new Map<string, number>();

/** `createEProcess(p0)` at the default grid size, memoized (the result is immutable). */
export function eProcessFor(p0: number): EProcess {
  const hit = processes.get(p0);
  if (hit) return hit;
  const made = createEProcess(p0);
  remember(processes, p0, made);
  return made;
}

/**
 * The smallest number of requests n such that, if round(pAlt·n) of them were bad, the test at
 * level α would fire. It is the minimum a step must serve before promotion: with fewer, a canary
 * failing at the smallest rate the team cares about (pAlt) could not yet have been caught.
 * Infinity when pAlt ≤ p0 (no amount of data shows a rate at the threshold is above it).
 */
export function requiredSamples(p0: number, pAlt: number, alpha: number): number {
  assertProbability(p0, "p0");
  assertProbability(pAlt, "pAlt");
  assertProbability(alpha, "alpha");
  if (pAlt <= p0) return Infinity;
  const key = `${p0}|${pAlt}|${alpha}`;
  const hit = required.get(key);
  if (hit !== undefined) return hit;

  const process = eProcessFor(p0);
  const threshold = Math.log(1 / alpha);
  // Along k = round(pAlt·n), E only rises when k steps up and falls in between, so the first
  // crossing is at the first n of some k. That peak grows steadily with k: gallop, then bisect.
  const firstN = (k: number) => firstRequestCountWith(k, pAlt);
  const fires = (k: number) => process.logE(firstN(k), k) >= threshold;
  let high = 1;
  while (!fires(high)) {
    high *= 2;
    if (high > 2 ** 40) {
      remember(required, key, Infinity);
      return Infinity;
    }
  }
  let low = Math.floor(high / 2);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fires(mid)) high = mid;
    else low = mid;
  }
  const n = firstN(high);
  remember(required, key, n);
  return n;
}

/** The smallest n ≥ k with Math.round(pAlt·n) = k (bad counts are rounded as the spec states). */
function firstRequestCountWith(k: number, pAlt: number): number {
  let n = Math.max(k, Math.ceil((k - 0.5) / pAlt));
  // Floating point can land one off either side of the rounding boundary.
  while (n > k && Math.round(pAlt * (n - 1)) >= k) n -= 1;
  while (Math.round(pAlt * n) < k) n += 1;
  return n;
}

/** Per alternative p: the log likelihood ratio of one bad event (up) and of one good event (down) against p0. */
type LogRatios = { logUp: Float64Array; logDown: Float64Array };

function logRatios(p0: number, grid: readonly number[]): LogRatios {
  return {
    logUp: Float64Array.from(grid, (p) => Math.log(p / p0)),
    logDown: Float64Array.from(grid, (p) => Math.log((1 - p) / (1 - p0))),
  };
}

/** log of (1/M) Σ exp(k·logUp_i + (n−k)·logDown_i), by log-sum-exp so large n never overflows. */
function mixture(n: number, k: number, { logUp, logDown }: LogRatios): number {
  const size = logUp.length;
  const good = n - k;
  let max = -Infinity;
  for (let i = 0; i < size; i++) {
    const term = k * (logUp[i] ?? 0) + good * (logDown[i] ?? 0);
    if (term > max) max = term;
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(k * (logUp[i] ?? 0) + good * (logDown[i] ?? 0) - max);
  return max + Math.log(sum) - Math.log(size);
}

function assertProbability(x: number, name: string): void {
  if (!(x > 0 && x < 1)) throw new RangeError(`${name} must lie strictly between 0 and 1, got ${x}`);
}

function assertCounts(n: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`need integers 0 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  }
}

function remember<K, V>(memo: Map<K, V>, key: K, value: V): void {
  // Maps iterate in insertion order, so the first key is the oldest.
  if (memo.size >= MEMO_LIMIT) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  memo.set(key, value);
}
