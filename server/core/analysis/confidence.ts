/**
 * Evidence of health (STATISTICS.md "Promotion needs evidence of health"): an e-process against
 * H0 "the canary's bad rate is at least θ" — its dual is an anytime-valid upper confidence bound
 * on the rate. A step is promoted only once that bound is below every threshold; no data is
 * never health. Pure.
 *
 *     E(n, k) = ∫ (q/θ)^k · ((1−q)/(1−θ))^(n−k) dπ(q)     over q in (0, θ)
 *
 * Under any rate ≥ θ this is a nonnegative supermartingale, so P(E ever ≥ 1/α) ≤ α: the bound
 * may be read after every request and a bad canary is promoted with probability at most α.
 */
const GRID_SIZE = 60;

/** log E against "rate ≥ θ": alternatives log-uniform from θ/200 to θ/1.1, equal weights. */
export function logEvidenceBelow(n: number, k: number, theta: number): number {
  if (!(theta > 0 && theta < 1)) throw new RangeError(`θ must lie strictly between 0 and 1, got ${theta}`);
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`need integers 0 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  if (n === 0) return 0;
  const from = Math.log(theta / 200);
  const to = Math.log(theta / 1.1);
  const logOneMinusTheta = Math.log1p(-theta);
  const logTheta = Math.log(theta);
  const terms = new Float64Array(GRID_SIZE);
  let max = -Infinity;
  for (let i = 0; i < GRID_SIZE; i++) {
    const q = Math.exp(from + ((to - from) * i) / (GRID_SIZE - 1));
    const term = k * (Math.log(q) - logTheta) + (n - k) * (Math.log1p(-q) - logOneMinusTheta);
    terms[i] = term;
    if (term > max) max = term;
  }
  let sum = 0;
  for (let i = 0; i < GRID_SIZE; i++) sum += Math.exp((terms[i] ?? 0) - max);
  return max + Math.log(sum) - Math.log(GRID_SIZE);
}

/** Whether n requests with k bad show, at level α, that the rate is below θ. */
export function shownBelow(n: number, k: number, theta: number, alpha: number): boolean {
  return logEvidenceBelow(n, k, theta) >= Math.log(1 / alpha);
}

/**
 * The anytime-valid upper confidence bound on the rate at level 1 − α: the smallest θ the data
 * already shows the rate to be below (to 1% relative precision). 1 when nothing can be said.
 */
export function upperBound(n: number, k: number, alpha: number): number {
  if (n === 0) return 1;
  let high = 0.999;
  if (!shownBelow(n, k, high, alpha)) return 1;
  let low = Math.max(k / n, 1e-9);
  if (shownBelow(n, k, low, alpha)) return low;
  while (high / low > 1.01) {
    const mid = Math.sqrt(low * high);
    if (shownBelow(n, k, mid, alpha)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * More requests needed before the bound falls below θ, if the canary goes on failing at its rate
 * so far (a clean canary: if it stays clean). Infinity when that can never happen (its rate is
 * too close to θ): the page then says health cannot be shown at the current rate.
 */
export function requestsUntilBelow(n: number, k: number, theta: number, alpha: number): number {
  if (shownBelow(n, k, theta, alpha)) return 0;
  const rate = n > 0 ? k / n : 0;
  if (rate >= theta / 1.15) return Infinity;
  const shownAfter = (more: number) => shownBelow(n + more, k + Math.round(rate * more), theta, alpha);
  let high = 16;
  while (!shownAfter(high)) {
    high *= 2;
    if (high > 2 ** 36) return Infinity;
  }
  let low = high / 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (shownAfter(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * log E against "rate ≤ θ" over the e-process's own alternatives (e-process.ts
 * `alternativesGrid(θ, 60)`: log-uniform from 1.05·θ to 0.99, mirrored in 1 − p above θ = ½),
 * without allocating: the lower bound evaluates it a dozen times per point of a chart.
 */
export function logEvidenceAbove(n: number, k: number, theta: number): number {
  if (!(theta > 0 && theta < 1)) throw new RangeError(`θ must lie strictly between 0 and 1, got ${theta}`);
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`need integers 0 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  if (n === 0) return 0;
  const mirrored = theta > 0.5;
  // Grid in p (or in q = 1 − p when mirrored), log-uniform: point i at exp(from + i·stepLog).
  const from = mirrored ? Math.log((1 - theta) / 100) : Math.log(1.05 * theta);
  const to = mirrored ? Math.log((1 - theta) / 1.05) : Math.log(0.99);
  const stepLog = (to - from) / (GRID_SIZE - 1);
  const logTheta = Math.log(theta);
  const logOneMinusTheta = Math.log1p(-theta);
  let max = -Infinity;
  for (let i = 0; i < GRID_SIZE; i++) {
    const logX = from + stepLog * i;
    const x = Math.exp(logX);
    const logP = mirrored ? Math.log1p(-x) : logX;
    const logOneMinusP = mirrored ? logX : Math.log1p(-x);
    const term = k * (logP - logTheta) + (n - k) * (logOneMinusP - logOneMinusTheta);
    scratch[i] = term;
    if (term > max) max = term;
  }
  let sum = 0;
  for (let i = 0; i < GRID_SIZE; i++) sum += Math.exp((scratch[i] ?? 0) - max);
  return max + Math.log(sum) - Math.log(GRID_SIZE);
}

// One buffer for logEvidenceAbove's terms (JavaScript is single-threaded; it never re-enters).
const scratch = new Float64Array(GRID_SIZE);

/**
 * The anytime-valid lower confidence bound on the rate at level 1 − α: the largest θ the data
 * already shows the rate to be above (to 1% relative precision), by the dual of the one-sided
 * e-process against "rate ≤ θ" (`logEvidenceAbove`). 0 when nothing can be said. The difference
 * chart's band runs from this to `upperBound`; a regression shows as this bound rising above
 * the threshold.
 */
export function lowerBound(n: number, k: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`α must lie strictly between 0 and 1, got ${alpha}`);
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`need integers 0 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  if (k === 0) return 0;
  const needed = Math.log(1 / alpha);
  const shownAbove = (theta: number) => logEvidenceAbove(n, k, theta) >= needed;
  // No θ at or above the observed rate is shown exceeded (every alternative's likelihood ratio
  // is below 1 there): gallop down from it, then bisect.
  let high = Math.min(k / n, 0.999);
  let low = high / 2;
  while (!shownAbove(low)) {
    high = low;
    low /= 2;
    if (low < 1e-6) return 0;
  }
  while (high / low > 1.01) {
    const mid = Math.sqrt(low * high);
    if (shownAbove(mid)) low = mid;
    else high = mid;
  }
  return low;
}
