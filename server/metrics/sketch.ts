import { DDSketch } from "@datadog/sketches-js";

/** Relative accuracy of every latency sketch: quantiles within 1% of exact. */
export const SKETCH_ACCURACY = 0.01;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
}

/** A quantile from a sketch, or null when it holds nothing. */
export function quantile(sketch: DDSketch, q: number): number | null {
  return sketch.count > 0 ? sketch.getValueAtQuantile(q) : null;
}

/**
 * How many recorded values exceed `threshold`, read from the sketch's bins (no raw samples are
 * kept). Values in the threshold's own bin are not counted: the answer errs on the low side by
 * at most one bin (1% relative), so the latency trigger never rolls back on rounding.
 */
export function countAbove(sketch: DDSketch, threshold: number): number {
  if (sketch.count === 0) return 0;
  if (threshold <= 0) return sketch.count - sketch.zeroCount;
  const key = sketch.mapping.key(threshold);
  const store = sketch.store;
  let count = 0;
  for (let i = 0; i < store.bins.length; i++) {
    if (i + store.offset > key) count += store.bins[i] ?? 0;
  }
  return count;
}

export function serializeSketch(sketch: DDSketch): Uint8Array {
  return sketch.toProto();
}

export function deserializeSketch(bytes: Uint8Array): DDSketch {
  return DDSketch.fromProto(bytes);
}
