import { z } from "zod";

/** One series of an instant query's answer. */
export type PrometheusSample = { labels: Record<string, string>; value: number };

/** An instant query's answer, or exactly why there is none (shown to admins in Settings as is). */
export type PrometheusAnswer = { ok: true; samples: PrometheusSample[] } | { ok: false; error: string };

/** Where to ask: Prometheus' base URL and the headers every query carries (decrypted). */
export type PrometheusTarget = { url: string; headers: { name: string; value: string }[] };

const MAX_BODY_BYTES = 4 * 1024 * 1024;

// https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview
const ZSampleValue = z.tuple([z.number(), z.string()]);
const ZAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: ZSampleValue })) }),
      z.object({ resultType: z.literal("scalar"), result: ZSampleValue }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal("string"), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() }),
]);

/** Prometheus writes NaN and ±Inf as strings; a NaN sample (0/0, an empty histogram) is no data. */
function sampleValue(text: string): number {
  return Number(text.replace("Inf", "Infinity"));
}

/** The transport failure in words an admin can act on ("connection refused …"), never a stack. */
function transportError(e: unknown, url: string, timeoutMs: number): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return `no answer from ${url} within ${timeoutMs / 1000} s`;
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : null;
  const code = cause && "code" in cause && typeof cause.code === "string" ? cause.code : null;
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused by ${new URL(url).host} (is Prometheus listening there?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host ${new URL(url).hostname} not found`;
    case "ECONNRESET":
      return `connection reset by ${new URL(url).host}`;
    default:
      return `could not reach ${url}: ${cause?.message ?? (e instanceof Error ? e.message : String(e))}`;
  }
}

/**
 * Runs one PromQL instant query at `atMs` (POST /api/v1/query, so a long query never meets a URL
 * limit). Never throws: a refused connection, a timeout, an HTTP error with Prometheus' own error
 * text, or an answer of the wrong shape comes back as `{ ok: false, error }`.
 */
export async function queryPrometheus(target: PrometheusTarget, query: string, atMs: number, timeoutMs = 5_000): Promise<PrometheusAnswer> {
  const endpoint = `${target.url.replace(/\/+$/, "")}/api/v1/query`;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  for (const h of target.headers) headers[h.name] = h.value;
  let status: number;
  let text: string;
  try {
    const res = await fetch(endpoint, {
      method: "POST",
      headers,
      body: new URLSearchParams({ query, time: (atMs / 1000).toFixed(3) }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    return { ok: false, error: transportError(e, endpoint, timeoutMs) };
  }
  if (text.length > MAX_BODY_BYTES) return { ok: false, error: `HTTP ${status}: answer over ${MAX_BODY_BYTES / 1024 / 1024} MiB (a query that returns too many series?)` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `HTTP ${status}: not a Prometheus answer (${text.slice(0, 200).trim() || "empty body"})` };
  }
  const parsed = ZAnswer.safeParse(json);
  if (!parsed.success) return { ok: false, error: `HTTP ${status}: not a Prometheus answer (${text.slice(0, 200).trim()})` };
  const answer = parsed.data;
  if (answer.status === "error") return { ok: false, error: `HTTP ${status}: ${answer.errorType ? `${answer.errorType}: ` : ""}${answer.error}` };
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}` };
  const data = answer.data;
  switch (data.resultType) {
    case "vector":
      return { ok: true, samples: data.result.map((r) => ({ labels: r.metric, value: sampleValue(r.value[1]) })).filter((s) => !Number.isNaN(s.value)) };
    case "scalar": {
      const value = sampleValue(data.result[1]);
      return { ok: true, samples: Number.isNaN(value) ? [] : [{ labels: {}, value }] };
    }
    case "matrix":
    case "string":
      return { ok: false, error: `the query returns a ${data.resultType}, not a number per series (drop the range selector outside a function, e.g. use increase(x[1m]) rather than x[1m])` };
  }
}
