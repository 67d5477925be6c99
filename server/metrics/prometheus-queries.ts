import { queryPrometheus, type PrometheusSample } from "../adapters/metrics/prometheus-source.ts";
import type { CountedWindow, LatencyBucket } from "../core/analysis/histogram-window.ts";
import { decryptSecret } from "../secrets.ts";
import { METRIC_SOURCE_QUERY_NAMES, renderQuery, type MetricSourceQueryName, type TMetricSource, type TStoredMetricSource } from "../db/metric-source-schema.ts";
import type { Side } from "./types.ts";

/** Whose numbers a query asks for. */
export type QuerySubject = { service: string; version: string; side: Side };

/** A stored source with its header values decrypted, for querying. */
export function usableMetricSource(stored: TStoredMetricSource, masterSecret?: string): TMetricSource {
  return { ...stored, headers: stored.headers.map((h) => ({ name: h.name, value: decryptSecret(h.value, masterSecret) })) };
}

/** One query's answer for one side, as the "Test the queries" button shows it. */
export type QueryOutcome = {
  name: MetricSourceQueryName;
  /** the query as sent, placeholders filled */
  query: string;
  /** the number (requests, errors: counts; p50/p95/p99: ms; latencyBuckets: requests in the histogram), null when there was no data */
  value: number | null;
  /** latencyBuckets only: how many buckets came back */
  buckets?: number;
  /** exactly why there is no answer (HTTP status and Prometheus' error, or the connection problem) */
  error?: string;
};

const sum = (samples: PrometheusSample[]) => samples.reduce((s, x) => s + x.value, 0);

/** Bucket increases from a `sum by (le)` answer; an answer without `le` labels is the query's mistake, said so. */
function bucketsOf(samples: PrometheusSample[]): { ok: true; buckets: LatencyBucket[] } | { ok: false; error: string } {
  const buckets: LatencyBucket[] = [];
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) return { ok: false, error: `a series without an "le" label (${JSON.stringify(s.labels)}): aggregate with sum by (le) (…)` };
    const bound = Number(le.replace("Inf", "Infinity"));
    if (Number.isNaN(bound)) return { ok: false, error: `le="${le}" is not a number` };
    buckets.push({ le: bound, count: s.value });
  }
  return { ok: true, buckets };
}

/**
 * Requests, errors and the latency histogram one side counted over `window` ending at `atMs`.
 * No request series (nothing served, or a version Prometheus has not scraped yet) is no data: null.
 * No error series with requests present is zero errors — a 5xx series exists only once a 5xx did.
 */
export async function countedWindow(source: TMetricSource, subject: QuerySubject, atMs: number, window: string, timeoutMs?: number): Promise<{ ok: true; window: CountedWindow | null } | { ok: false; error: string }> {
  const values = { ...subject, window };
  const ask = (name: "requests" | "errors" | "latencyBuckets") => queryPrometheus(source, renderQuery(source.queries[name], values), atMs, timeoutMs);
  const [requests, errors, buckets] = await Promise.all([ask("requests"), ask("errors"), ask("latencyBuckets")]);
  if (!requests.ok) return { ok: false, error: `requests query: ${requests.error}` };
  if (!errors.ok) return { ok: false, error: `errors query: ${errors.error}` };
  if (!buckets.ok) return { ok: false, error: `latencyBuckets query: ${buckets.error}` };
  if (requests.samples.length === 0) return { ok: true, window: null };
  const parsed = bucketsOf(buckets.samples);
  if (!parsed.ok) return { ok: false, error: `latencyBuckets query: ${parsed.error}` };
  return { ok: true, window: { requests: sum(requests.samples), errors: sum(errors.samples), buckets: parsed.buckets } };
}

/** Every query for one side, now, over the source's display window: what Settings' test shows. */
export async function testQueries(source: TMetricSource, subject: QuerySubject, atMs: number, timeoutMs?: number): Promise<QueryOutcome[]> {
  const values = { ...subject, window: source.window };
  return Promise.all(
    METRIC_SOURCE_QUERY_NAMES.map(async (name): Promise<QueryOutcome> => {
      const query = renderQuery(source.queries[name], values);
      const answer = await queryPrometheus(source, query, atMs, timeoutMs);
      if (!answer.ok) return { name, query, value: null, error: answer.error };
      if (answer.samples.length === 0) return { name, query, value: null };
      if (name === "latencyBuckets") {
        const parsed = bucketsOf(answer.samples);
        if (!parsed.ok) return { name, query, value: null, error: parsed.error };
        const total = Math.max(0, ...parsed.buckets.map((b) => b.count));
        return { name, query, value: total, buckets: parsed.buckets.length };
      }
      if (name === "p50" || name === "p95" || name === "p99") {
        const seconds = sum(answer.samples);
        // histogram_quantile answers NaN on an empty window (dropped as no data) and seconds otherwise.
        return { name, query, value: Number.isFinite(seconds) ? seconds * 1000 : null };
      }
      return { name, query, value: sum(answer.samples) };
    }),
  );
}
