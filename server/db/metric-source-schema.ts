import { parser } from "@prometheus-io/lezer-promql";
import { z } from "zod";
import { isEncryptedSecret } from "../secrets.ts";

/**
 * Where an environment's canary metrics come from when it is not (only) the router: a Prometheus
 * the team already runs. Stored in `Environment.metricSource` (null = none); parsed here, once.
 */

/** The placeholders a query may use; any other `{name}` is refused, so a typo never reaches Prometheus. */
export const METRIC_SOURCE_PLACEHOLDERS = ["service", "version", "side", "window"] as const;
export type MetricSourcePlaceholder = (typeof METRIC_SOURCE_PLACEHOLDERS)[number];
export type TemplateValues = Record<MetricSourcePlaceholder, string>;

/** The query names, in the order Settings shows them. */
export const METRIC_SOURCE_QUERY_NAMES = ["requests", "errors", "latencyBuckets", "p50", "p95", "p99"] as const;
export type MetricSourceQueryName = (typeof METRIC_SOURCE_QUERY_NAMES)[number];

// The demo services' metric names (demo/sample-app.ts): a prom-client histogram whose _count is the
// request counter, labelled by version, route and status code. Prometheus' own endpoints are left
// out: Prometheus scrapes /metrics every few seconds and those requests would dilute the error rate.
const APP = `job="{service}",version="{version}",route!~"/metrics|/healthz|/__fault"`;

/** Defaults that read the demo services as Prometheus scrapes them (the scrape job named after the service). */
export const DEFAULT_PROMETHEUS_QUERIES: Record<MetricSourceQueryName, string> = {
  requests: `sum(increase(http_request_duration_seconds_count{${APP}}[{window}]))`,
  errors: `sum(increase(http_request_duration_seconds_count{${APP},status=~"5.."}[{window}]))`,
  latencyBuckets: `sum by (le) (increase(http_request_duration_seconds_bucket{${APP}}[{window}]))`,
  p50: `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{${APP}}[{window}])))`,
  p95: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${APP}}[{window}])))`,
  p99: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${APP}}[{window}])))`,
};

/** What a query's placeholders become while it is validated: realistic values, so the parse is the real one. */
const SAMPLE_VALUES: TemplateValues = { service: "checkout", version: "1.2.3", side: "canary", window: "1m" };

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `{service}`, `{version}`, `{side}` and `{window}` in a query. Values are escaped for a
 * PromQL double-quoted string (where label values go), so a version can never end the string early.
 */
export function renderQuery(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!(METRIC_SOURCE_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    return values[name as MetricSourcePlaceholder].replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  });
}

/** Why a query template is refused, or null when it is a valid PromQL expression once its placeholders are filled. */
export function templateProblem(template: string): string | null {
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "").filter((n) => !(METRIC_SOURCE_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    return `unknown placeholder ${[...new Set(unknown)].map((n) => `{${n}}`).join(", ")}; use ${METRIC_SOURCE_PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}`;
  }
  const expr = renderQuery(template, SAMPLE_VALUES);
  const tree = parser.parse(expr);
  let at: number | null = null;
  tree.iterate({
    enter: (node) => {
      if (at === null && node.type.isError) at = node.from;
      return at === null;
    },
  });
  if (at === null) return null;
  const pos: number = at;
  return `not valid PromQL near position ${pos + 1} (“${expr.slice(Math.max(0, pos - 10), pos + 10)}”, placeholders filled with sample values)`;
}

const ZQueryTemplate = z
  .string()
  .trim()
  .min(1, "Enter a PromQL query")
  .max(2_000, "At most 2000 characters")
  .superRefine((value, ctx) => {
    const problem = templateProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A Prometheus range such as 30s, 1m, 5m or 1h: what `{window}` becomes for the quantile display. */
const ZRange = z.string().trim().regex(/^[1-9]\d{0,3}[smh]$/, "A Prometheus range such as 30s, 1m or 5m");

/** One header sent with every query, e.g. `Authorization: Bearer …` for a Prometheus behind a proxy. */
const ZHeaderName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,64}$/, "A header name: letters, digits and dashes")
  .refine((n) => !["host", "content-length", "content-type", "connection", "transfer-encoding"].includes(n.toLowerCase()), "Flightdeck sets this header itself");

const ZPrometheusUrl = z
  .url({ protocol: /^https?$/, message: "An http:// or https:// URL, e.g. http://127.0.0.1:9090" })
  .max(500)
  .refine((u) => !new URL(u).username && !new URL(u).password, "Put credentials in a header, not in the URL (it is shown in Settings)");

/** The queries, each defaulting to the demo's. */
export const ZPrometheusQueries = z.strictObject(
  Object.fromEntries(METRIC_SOURCE_QUERY_NAMES.map((n) => [n, ZQueryTemplate.default(DEFAULT_PROMETHEUS_QUERIES[n])])) as Record<MetricSourceQueryName, z.ZodDefault<typeof ZQueryTemplate>>,
);

const base = {
  kind: z.literal("prometheus"),
  /** Prometheus' base URL (the HTTP API is under /api/v1); loopback allowed. */
  url: ZPrometheusUrl,
  /** Seconds between polls, 5–300, default 15: also what `{window}` is in the counting queries. */
  intervalSeconds: z.number().int().min(5, "At least 5 seconds").max(300, "At most 300 seconds").default(15),
  /** The range `{window}` becomes in the quantile queries and the test, default 1m. */
  window: ZRange.default("1m"),
  queries: ZPrometheusQueries.default(() => ZPrometheusQueries.parse({})),
};

/**
 * What an admin submits: header values in clear. An empty value keeps the stored one (Settings
 * never sends a stored secret back to the browser, so it cannot resend it).
 */
export const ZMetricSourceInput = z.strictObject({
  ...base,
  headers: z.array(z.strictObject({ name: ZHeaderName, value: z.string().max(4_000) })).max(10, "At most 10 headers").default([]),
});
export type TMetricSourceInput = z.input<typeof ZMetricSourceInput>;
export type TMetricSourceParsedInput = z.infer<typeof ZMetricSourceInput>;

/** As stored: header values encrypted (server/secrets.ts). */
export const ZStoredMetricSource = z.strictObject({
  ...base,
  headers: z.array(z.strictObject({ name: ZHeaderName, value: z.string().refine(isEncryptedSecret, "not an encrypted secret") })).max(10).default([]),
});
export type TStoredMetricSource = z.infer<typeof ZStoredMetricSource>;

/** A stored metric source with its header values decrypted: what the poller and the test use. */
export type TMetricSource = Omit<TStoredMetricSource, "headers"> & { headers: { name: string; value: string }[] };

/** The stored column, or null when none is set; a value that no longer parses is reported, not guessed at. */
export function parseStoredMetricSource(raw: unknown): TStoredMetricSource | null {
  if (raw === null || raw === undefined) return null;
  return ZStoredMetricSource.parse(raw);
}
