/**
 * Every response's latency in ms, kept exactly up to `capacity` and, beyond it, as a uniform
 * random sample of all of them (reservoir sampling, Vitter's algorithm R), so percentiles stay
 * honest estimates over the whole test while memory stays bounded. `count` is always the true total.
 */
export type LatencySample = {
  record: (ms: number) => void;
  readonly count: number;
  /** nearest-rank percentiles (each 0 < p ≤ 100) of what was recorded; NaN when nothing was */
  percentiles: (ps: readonly number[]) => number[];
};

/** 500,000 float64 values: 4 MB, sorted in well under a second. */
export const DEFAULT_LATENCY_CAPACITY = 500_000;

export function createLatencySample(capacity = DEFAULT_LATENCY_CAPACITY, random: () => number = Math.random): LatencySample {
  const kept = new Float64Array(capacity);
  let count = 0;
  return {
    record(ms) {
      if (count < capacity) kept[count] = ms;
      else {
        const slot = Math.floor(random() * (count + 1));
        if (slot < capacity) kept[slot] = ms;
      }
      count += 1;
    },
    get count() {
      return count;
    },
    percentiles(ps) {
      const n = Math.min(count, capacity);
      const sorted = kept.slice(0, n).sort();
      return ps.map((p) => sorted[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1] ?? Number.NaN);
    },
  };
}
