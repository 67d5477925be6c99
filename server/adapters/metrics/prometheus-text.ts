/** One metric's value in a Prometheus text exposition: the sum over its series, or why there is none. */
export type MetricReading = { value: number; series: number } | { problem: string };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
// Go's ParseFloat forms that exporters write: 12, 1.5e+08, .5, +Inf, NaN.
const SAMPLE_VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

/**
 * Reads `metric` from a Prometheus (or OpenMetrics) text exposition: comment and blank lines are
 * skipped, label sets are passed over with their quoted values (which may hold `}`, spaces and
 * escaped quotes), a trailing timestamp is ignored. Several series (one per worker, say) are summed:
 * together they are the service's memory.
 */
export function readMetric(text: string, metric: string): MetricReading {
  let value = 0;
  let series = 0;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const name = METRIC_NAME.exec(line)?.[0];
    if (name !== metric) continue;
    const rest = afterLabels(line.slice(name.length));
    if (rest === null) return { problem: `line ${index + 1}: unterminated label set in "${line.slice(0, 120)}"` };
    const token = rest.trim().split(/\s+/)[0] ?? "";
    if (!SAMPLE_VALUE.test(token)) return { problem: `line ${index + 1}: "${token}" is not a sample value` };
    const parsed = Number(token.replace("Inf", "Infinity"));
    if (!Number.isFinite(parsed)) return { problem: `line ${index + 1}: ${metric} is ${token}` };
    value += parsed;
    series += 1;
  }
  return series === 0 ? { problem: `metric ${metric} not found` } : { value, series };
}

/** What follows an optional `{…}` label set, or null when the set never closes. */
function afterLabels(rest: string): string | null {
  if (!rest.startsWith("{")) return rest;
  let quoted = false;
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (quoted && c === "\\") i += 1;
    else if (c === '"') quoted = !quoted;
    else if (c === "}" && !quoted) return rest.slice(i + 1);
  }
  return null;
}
