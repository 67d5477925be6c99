import { z } from "zod";
import type { Db } from "../db/client.ts";
import { findRunRef, flagOfRun } from "../db/run-repository.ts";
import { sideOfVariant } from "../core/flag-runs.ts";
import { AppError } from "../errors.ts";
import type { MetricsAggregator } from "../metrics/aggregator.ts";
import type { RequestObservation } from "../metrics/types.ts";
import { tokenActor, type AuthenticatedToken } from "./api-tokens.ts";
import { writeAudit } from "../db/audit-log.ts";
import type { MetricInboxPayload } from "../db/metric-inbox-repository.ts";

/**
 * With several instances: whether another instance analyses a run, and how to send it samples
 * (server/metrics/metrics-forwarder.ts). Absent: a lone process, whose aggregator is the only one.
 */
export type RemoteAnalysis = {
  analysedElsewhere(runId: string): Promise<boolean>;
  send(runId: string, payload: MetricInboxPayload): Promise<void>;
};

/** Largest metrics body accepted: 1 MiB holds a 10,000-sample batch with room to spare. */
export const MAX_METRICS_BODY_BYTES = 1024 * 1024;
/** Most samples in one batch; senders split larger ones. */
export const MAX_SAMPLES_PER_BATCH = 10_000;
/** Largest signal body: source (100) and message (2,000 characters) need far less. */
export const MAX_SIGNAL_BODY_BYTES = 16 * 1024;
/** Field errors listed in a 400 at most; a batch of 10,000 bad samples does not need 10,000 lines. */
const MAX_REPORTED_ISSUES = 50;

const ZSide = z.enum(["baseline", "canary"], { message: 'Expected "baseline" or "canary"' });

/**
 * A sample's side: `side` as today, or (issue 15) the feature-flag `variant` the user was served:
 * for a flag run the run's new variant is the canary and any other variant the baseline. A sample
 * with neither cannot be placed.
 */
const sided = {
  side: ZSide.optional(),
  variant: z
    .string("Expected the variant's name")
    .min(1, "Expected the variant's name")
    .max(64, "At most 64 characters")
    .optional()
    .describe("for a flag run: the feature-flag variant the user was served; the run's new variant counts as canary, any other as baseline (side may then be left out)"),
};
const SIDE_OR_VARIANT = 'Give side ("baseline" or "canary") or, for a flag run, the variant served';

/** One request a service or load balancer saw; status 0 is a failed connection (an error). */
const ZRequestSample = z.object({
  type: z.literal("request"),
  ...sided,
  status: z
    .int("Expected an integer HTTP status")
    .min(0, "Expected 100–599, or 0 for a failed connection")
    .max(599, "Expected 100–599, or 0 for a failed connection")
    .refine((s) => s === 0 || s >= 100, "Expected 100–599, or 0 for a failed connection"),
  latencyMs: z.number("Expected a finite number of milliseconds").min(0, "Must be at least 0").max(600_000, "At most 600000 ms (10 minutes)"),
});

/** CPU or memory as a percentage of the container's limit (above 100 when it bursts past it). */
const ZGaugeSample = z.object({
  type: z.literal("gauge"),
  ...sided,
  resource: z.enum(["cpu", "memory"], { message: 'Expected "cpu" or "memory"' }),
  percentOfLimit: z.number("Expected a finite percentage").min(0, "Must be at least 0").max(10_000, "At most 10000"),
});

/** The business metric: of `attempts` (e.g. checkouts started), how many converted. */
const ZConversionSample = z
  .object({
    type: z.literal("conversion"),
    ...sided,
    attempts: z.int("Expected a whole number").min(0, "Must be at least 0"),
    conversions: z.int("Expected a whole number").min(0, "Must be at least 0"),
  })
  .refine((s) => s.conversions <= s.attempts, { message: "Cannot exceed attempts", path: ["conversions"] });

/** A Core Web Vital from a real user: LCP and INP in ms (≤ 10 min), CLS unitless (≤ 100). */
const ZVitalSample = z
  .object({
    type: z.literal("vital"),
    ...sided,
    name: z.enum(["lcp", "inp", "cls"], { message: 'Expected "lcp", "inp" or "cls"' }),
    value: z.number("Expected a finite number").min(0, "Must be at least 0"),
  })
  .refine((s) => s.value <= (s.name === "cls" ? 100 : 600_000), {
    message: "Too large: CLS is at most 100, LCP and INP at most 600000 ms",
    path: ["value"],
  });

export const ZMetricSample = z.discriminatedUnion("type", [ZRequestSample, ZGaugeSample, ZConversionSample, ZVitalSample], {
  message: 'Expected type "request", "gauge", "conversion" or "vital"',
});
export type TMetricSample = z.infer<typeof ZMetricSample>;

export const ZMetricsBatch = z.object({
  runId: z.uuid("Expected a run id (UUID)"),
  samples: z
    .array(ZMetricSample, "Expected an array of samples")
    .max(MAX_SAMPLES_PER_BATCH, `At most ${MAX_SAMPLES_PER_BATCH} samples per batch`)
    // Once per batch rather than a refinement per sample: ingest speed is per sample.
    .superRefine((samples, ctx) => {
      samples.forEach((s, i) => {
        if (s.side === undefined && s.variant === undefined) ctx.addIssue({ code: "custom", path: [i, "side"], message: SIDE_OR_VARIANT });
      });
    }),
});
export type TMetricsBatch = z.infer<typeof ZMetricsBatch>;

export const ZSignalInput = z.object({
  runId: z.uuid("Expected a run id (UUID)"),
  source: z.string("Expected a string").trim().min(1, "Say who raised the signal").max(100, "At most 100 characters"),
  message: z.string("Expected a string").trim().min(1, "Say what happened").max(2_000, "At most 2000 characters"),
  severity: z.enum(["critical", "high", "medium", "low"], { message: 'Expected "critical", "high", "medium" or "low"' }).optional(),
});
export type TSignalInput = z.infer<typeof ZSignalInput>;

function invalid(message: string, fieldErrors?: Record<string, string[]>): AppError {
  return new AppError("BAD_REQUEST", { message: `ingest: ${message}`, userMessage: message, ...(fieldErrors ? { fieldErrors } : {}) });
}

/** Field errors keyed by path (`samples.3.latencyMs`), the first MAX_REPORTED_ISSUES of them. */
function reasons(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const issues = error.issues;
  for (const issue of issues.slice(0, MAX_REPORTED_ISSUES)) (out[issue.path.join(".") || "_body"] ??= []).push(issue.message);
  if (issues.length > MAX_REPORTED_ISSUES) out._more = [`${issues.length - MAX_REPORTED_ISSUES} more problems not listed`];
  return out;
}


function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid("The body must be JSON.");
  }
}

/**
 * Validates a whole metrics batch; throws 400 with the reasons (path and message) when any
 * sample is wrong, so a batch is taken whole or not at all. Zod is fast enough here: about
 * 2 million samples/s on one core, far above the ingest target (see ingest.service.test.ts).
 */
export function validateMetricsBatch(value: unknown): TMetricsBatch {
  const result = ZMetricsBatch.safeParse(value);
  if (!result.success) throw invalid("Invalid metrics batch.", reasons(result.error));
  return result.data;
}

/** A metrics request body (JSON text) as a validated batch; 400 for bad JSON or bad samples. */
export function parseMetricsBatch(text: string): TMetricsBatch {
  return validateMetricsBatch(parseJson(text));
}

/** Parses a security signal's body; 400 with the reasons when it is wrong. */
export function parseSignal(text: string): TSignalInput {
  const result = ZSignalInput.safeParse(parseJson(text));
  if (!result.success) throw invalid("Invalid signal.", reasons(result.error));
  return result.data;
}

/**
 * 404 for a run that does not exist, 409 for one whose rollout no instance analyses (asked after
 * the database answers, so a run that left the rollout meanwhile is refused). "local" when this
 * instance's aggregator counts it, "remote" when another instance holds its analysis.
 */
async function requireWatchedRun(db: Db, aggregator: MetricsAggregator, runId: string, remote?: RemoteAnalysis): Promise<"local" | "remote"> {
  const run = await findRunRef(db, runId);
  if (!run) throw new AppError("NOT_FOUND", { message: `ingest: run ${runId} not found`, userMessage: "Unknown run" });
  if (aggregator.watching(runId)) return "local";
  if (remote && (await remote.analysedElsewhere(runId))) return "remote";
  throw new AppError("CONFLICT", { message: `ingest: run ${runId} not watched`, userMessage: "Run is not rolling out" });
}

type Side = "baseline" | "canary";

/**
 * How the batch's samples are placed: by `side`, or for a flag run by the `variant` served (its
 * new variant is the canary, any other the baseline; the variant wins over a side given too).
 * A sample with only a variant sent for a version run cannot be placed: 400, nothing applied.
 */
async function placement(db: Db, batch: TMetricsBatch): Promise<(s: TMetricSample) => Side> {
  const bySide = (s: TMetricSample): Side => s.side ?? "baseline";
  if (!batch.samples.some((s) => s.variant !== undefined)) return bySide;
  const flag = await flagOfRun(db, batch.runId);
  if (flag) return (s) => (s.variant !== undefined ? sideOfVariant(flag, s.variant) : bySide(s));
  const i = batch.samples.findIndex((s) => s.side === undefined);
  if (i >= 0) throw invalid("Invalid metrics batch.", { [`samples.${i}.variant`]: ["This run releases a version, not a flag: give side (baseline or canary)"] });
  return bySide;
}

/** A validated batch as one metric inbox payload, for the instance that analyses the run. */
function inboxPayloadOf(batch: TMetricsBatch, sideOf: (s: TMetricSample) => Side): MetricInboxPayload {
  const p: Required<Omit<MetricInboxPayload, "signals">> = { requests: [], gauges: [], conversions: [], vitals: [] };
  const at = Date.now();
  for (const s of batch.samples) {
    const side = sideOf(s);
    if (s.type === "request") p.requests.push({ side, status: s.status, latencyMs: s.latencyMs, at });
    else if (s.type === "gauge") p.gauges.push({ side, resource: s.resource, percentOfLimit: s.percentOfLimit });
    else if (s.type === "conversion") p.conversions.push({ side, attempts: s.attempts, conversions: s.conversions });
    else p.vitals.push({ side, name: s.name, value: s.value });
  }
  return p;
}

/**
 * Feeds a validated batch to the aggregator. The run is checked first; the samples are then
 * applied in one synchronous loop, so no other request sees half a batch. One observation
 * object is reused for every request sample (the aggregator does not keep it).
 */
export async function applyMetricsBatch(db: Db, aggregator: MetricsAggregator, batch: TMetricsBatch, remote?: RemoteAnalysis): Promise<{ accepted: number }> {
  const where = await requireWatchedRun(db, aggregator, batch.runId, remote);
  const sideOf = await placement(db, batch);
  if (where === "remote" && remote) {
    // Another instance analyses the run: the batch goes to it whole, in one inbox row.
    await remote.send(batch.runId, inboxPayloadOf(batch, sideOf));
    return { accepted: batch.samples.length };
  }
  const runId = batch.runId;
  const request: RequestObservation = { runId, side: "baseline", status: 0, latencyMs: 0 };
  for (const s of batch.samples) {
    switch (s.type) {
      case "request":
        request.side = sideOf(s);
        request.status = s.status;
        request.latencyMs = s.latencyMs;
        aggregator.observeRequest(request);
        break;
      case "gauge":
        aggregator.observeGauge(runId, sideOf(s), s.resource, s.percentOfLimit);
        break;
      case "conversion":
        aggregator.observeConversions(runId, sideOf(s), s.attempts, s.conversions);
        break;
      case "vital":
        aggregator.observeVital(runId, sideOf(s), s.name, s.value);
        break;
      default: {
        const never: never = s;
        throw new Error(`unhandled sample ${String(never)}`);
      }
    }
  }
  return { accepted: batch.samples.length };
}

/**
 * Records a security signal (a WAF or breach alert) against a rolling-out run: audited first,
 * then handed to the analysis, whose security trigger rolls the run back.
 */
export async function recordSignal(db: Db, aggregator: MetricsAggregator, token: AuthenticatedToken, input: TSignalInput, now = Date.now(), remote?: RemoteAnalysis): Promise<void> {
  const where = await requireWatchedRun(db, aggregator, input.runId, remote);
  await db.$transaction((tx) =>
    writeAudit(tx, {
      actor: tokenActor(token),
      action: "signal.received",
      runId: input.runId,
      summary: `Security signal from ${input.source}${input.severity ? ` (${input.severity})` : ""}: ${input.message}`,
      detail: { source: input.source, message: input.message, severity: input.severity ?? null, at: new Date(now).toISOString() },
    }),
  );
  const signal = { source: input.source, message: input.message, at: now };
  if (where === "remote" && remote) await remote.send(input.runId, { signals: [signal] });
  else aggregator.observeSignal(input.runId, signal);
}
