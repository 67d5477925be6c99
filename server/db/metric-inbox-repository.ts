import { z } from "zod";
import type { Db } from "./client.ts";

/**
 * The metric inbox: how samples that arrive on one Flightdeck process reach the process that owns
 * the run's analysis (its `analysis_lease`). Any process — a dashboard instance whose ingest API or
 * router saw requests for a run it does not analyse, or the separate router process — appends a
 * compact batch with `appendMetricSamples`; the insert NOTIFYs `METRIC_INBOX_CHANNEL` with the run
 * id, and the owner drains its runs' rows in id order (deleting what it consumes) into its
 * in-memory aggregator. Batches are the unit: senders buffer a few hundred milliseconds of
 * observations per run and send one row, never one row per request.
 *
 * Payload (JSON, every list optional, `side` is "baseline" | "canary"):
 * - `requests`: `{ side, status, latencyMs, count?, at?, region? }` — `count` identical requests (default 1;
 *   a router aggregates equal status/latency pairs), status 0 or ≥ 500 counts as an error, `at`
 *   the epoch ms it was seen (informational: the owner counts it when it drains it), `region` the
 *   region whose router saw them (a region-by-region run counts only its current region's);
 * - `gauges`: `{ side, resource: "cpu" | "memory", percentOfLimit }`;
 * - `conversions`: `{ side, attempts, conversions }`;
 * - `vitals`: `{ side, name: "lcp" | "inp" | "cls", value }`;
 * - `signals`: `{ source, message, at }` — a security signal already audited where it arrived.
 */
export const METRIC_INBOX_CHANNEL = "flightdeck_metric_inbox";

/** Most entries in one batch (all lists together); senders split larger ones. */
export const MAX_INBOX_ENTRIES = 20_000;

const ZSide = z.enum(["baseline", "canary"]);

export const ZInboxRequest = z.object({
  side: ZSide,
  status: z.int().min(0).max(599),
  latencyMs: z.number().min(0).max(600_000),
  count: z.int().min(1).max(1_000_000).optional(),
  at: z.number().optional(),
  /** the region whose router saw them: a region-by-region run counts only its current region's */
  region: z.string().min(1).max(64).optional(),
});
export const ZInboxGauge = z.object({ side: ZSide, resource: z.enum(["cpu", "memory"]), percentOfLimit: z.number().min(0).max(10_000) });
export const ZInboxConversion = z
  .object({ side: ZSide, attempts: z.int().min(0), conversions: z.int().min(0) })
  .refine((c) => c.conversions <= c.attempts, { message: "conversions cannot exceed attempts", path: ["conversions"] });
export const ZInboxVital = z
  .object({ side: ZSide, name: z.enum(["lcp", "inp", "cls"]), value: z.number().min(0) })
  .refine((v) => v.value <= (v.name === "cls" ? 100 : 600_000), { message: "vital out of range", path: ["value"] });
export const ZInboxSignal = z.object({ source: z.string().min(1).max(100), message: z.string().min(1).max(2_000), at: z.number() });

export const ZMetricInboxPayload = z
  .object({
    requests: z.array(ZInboxRequest).optional(),
    gauges: z.array(ZInboxGauge).optional(),
    conversions: z.array(ZInboxConversion).optional(),
    vitals: z.array(ZInboxVital).optional(),
    signals: z.array(ZInboxSignal).optional(),
  })
  .refine(
    (p) => (p.requests?.length ?? 0) + (p.gauges?.length ?? 0) + (p.conversions?.length ?? 0) + (p.vitals?.length ?? 0) + (p.signals?.length ?? 0) <= MAX_INBOX_ENTRIES,
    { message: `At most ${MAX_INBOX_ENTRIES} entries per batch` },
  );
export type MetricInboxPayload = z.infer<typeof ZMetricInboxPayload>;
export type InboxRequest = z.infer<typeof ZInboxRequest>;

const ZRunId = z.uuid();

/** Whether a batch has nothing in it (not worth a row). */
export function emptyInboxPayload(p: MetricInboxPayload): boolean {
  return !p.requests?.length && !p.gauges?.length && !p.conversions?.length && !p.vitals?.length && !p.signals?.length;
}

/**
 * Appends one batch for a run's analysis owner and wakes it (NOTIFY, in the same statement: the
 * notification is sent when the row is committed, never before). Validated first: a bad batch
 * throws and writes nothing. An empty batch writes nothing.
 */
export async function appendMetricSamples(db: Db, runId: string, batch: MetricInboxPayload): Promise<void> {
  const id = ZRunId.parse(runId);
  const payload = ZMetricInboxPayload.parse(batch);
  if (emptyInboxPayload(payload)) return;
  const json = JSON.stringify(payload);
  await db.$executeRaw`WITH appended AS (INSERT INTO "metric_inbox" ("runId", "payload") VALUES (${id}, ${json}::jsonb) RETURNING "runId")
    SELECT pg_notify(${METRIC_INBOX_CHANNEL}, "runId") FROM appended`;
}

/** One drained batch; `payload` is null when a stored row no longer parses (it is dropped, logged by the caller). */
export type DrainedBatch = { id: bigint; runId: string; payload: MetricInboxPayload | null };

/**
 * Takes (deletes and returns) up to `limit` of the given runs' oldest batches, in the order they
 * were appended. Rows another drainer has locked are skipped, so a lease handover can never feed
 * one batch to two aggregators.
 */
export async function drainMetricInbox(db: Db, runIds: readonly string[], limit = 500): Promise<DrainedBatch[]> {
  if (runIds.length === 0) return [];
  const rows = await db.$queryRaw<{ id: bigint; runId: string; payload: unknown }[]>`
    DELETE FROM "metric_inbox" WHERE "id" IN (
      SELECT "id" FROM "metric_inbox" WHERE "runId" = ANY(${[...runIds]}::text[]) ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) RETURNING "id", "runId", "payload"`;
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map((r) => {
    const parsed = ZMetricInboxPayload.safeParse(r.payload);
    return { id: r.id, runId: r.runId, payload: parsed.success ? parsed.data : null };
  });
}

/** Drops batches nobody drained (their run left the rollout, or never had an owner) older than `olderThanMs`. */
export async function pruneMetricInbox(db: Db, olderThanMs: number): Promise<number> {
  return db.$executeRaw`DELETE FROM "metric_inbox" WHERE "createdAt" < now() - make_interval(secs => ${olderThanMs / 1000})`;
}
