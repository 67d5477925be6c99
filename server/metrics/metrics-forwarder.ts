import type { Db } from "../db/client.ts";
import { analysisOwner } from "../db/analysis-lease-repository.ts";
import { appendMetricSamples, emptyInboxPayload, type MetricInboxPayload } from "../db/metric-inbox-repository.ts";
import type { MetricsAggregator } from "./aggregator.ts";
import type { ObservationSink, RequestObservation, Side } from "./types.ts";

/** Feeds one drained inbox batch to the owner's aggregator, in the order it was sent. */
export function applyInboxPayload(aggregator: MetricsAggregator, runId: string, payload: MetricInboxPayload): void {
  const request: RequestObservation = { runId, side: "baseline", status: 0, latencyMs: 0 };
  for (const r of payload.requests ?? []) {
    request.side = r.side;
    request.status = r.status;
    request.latencyMs = r.latencyMs;
    // A region-by-region run counts only its current region's requests (aggregator.ts).
    if (r.region === undefined) delete request.region;
    else request.region = r.region;
    if ((r.count ?? 1) === 1) aggregator.observeRequest(request);
    else aggregator.observeRequests(request, r.count ?? 1);
  }
  for (const g of payload.gauges ?? []) aggregator.observeGauge(runId, g.side, g.resource, g.percentOfLimit);
  for (const c of payload.conversions ?? []) aggregator.observeConversions(runId, c.side, c.attempts, c.conversions);
  for (const v of payload.vitals ?? []) aggregator.observeVital(runId, v.side, v.name, v.value);
  for (const s of payload.signals ?? []) aggregator.observeSignal(runId, s);
}

/** What routers, OTLP and the demo fleet feed: requests (one or a weighted bucket) and gauges. */
export type ForwardingSink = ObservationSink & {
  observeRequests(o: RequestObservation, count: number): void;
  observeGauge(runId: string, side: Side, kind: "cpu" | "memory", percentOfLimit: number): void;
};

type Deps = {
  db: Db;
  /** this instance's aggregator: it counts the runs this instance analyses (the fast path) */
  aggregator: MetricsAggregator;
  onError: (where: string, e: unknown) => void;
  /** how long observations of a run analysed elsewhere are buffered before one inbox row carries them (ms); default 250 */
  flushMs?: number;
};

/** How long "who analyses this run" is believed: the lease changes hands only on a takeover. */
const OWNER_CACHE_MS = 1_000;
/** Buffered requests per run at most between flushes; beyond it they are dropped (the owner is far behind anyway). */
const MAX_BUFFERED = 20_000;

/**
 * Where this instance's observations go when it does not own the run's analysis. With several
 * instances, requests and samples arrive on any of them (the ingest API, OTLP, a router it hosts);
 * the run's analysis lives in the memory of the one instance holding its lease. Observations of a
 * run this instance analyses go straight to its aggregator; those of a run another instance
 * analyses are buffered a moment and appended to the metric inbox (server/db/metric-inbox-repository.ts),
 * which the owner drains; those of a run nobody analyses are dropped, as a single instance drops them.
 */
export class MetricsForwarder {
  private readonly owners = new Map<string, { elsewhere: boolean; at: number; pending?: Promise<boolean> }>();
  private readonly buffered = new Map<string, Required<Pick<MetricInboxPayload, "requests" | "gauges">>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  start(): void {
    const every = this.deps.flushMs ?? 250;
    const loop = () => {
      this.flushing = this.flush()
        .catch((e: unknown) => this.deps.onError("metrics.forward", e))
        .finally(() => {
          this.flushing = null;
          if (this.timer) this.timer = setTimeout(loop, every);
        });
    };
    this.timer = setTimeout(loop, every);
  }

  /** Stops the timer and sends what is buffered. */
  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
    await this.flushing;
    await this.flush().catch((e: unknown) => this.deps.onError("metrics.forward", e));
  }

  /** Whether another instance analyses the run now (its lease is unexpired); cached for a second. */
  async analysedElsewhere(runId: string): Promise<boolean> {
    if (this.deps.aggregator.watching(runId)) return false;
    const now = Date.now();
    const cached = this.owners.get(runId);
    if (cached && now - cached.at < OWNER_CACHE_MS) return cached.pending ?? cached.elsewhere;
    const pending = analysisOwner(this.deps.db, runId).then((owner) => owner !== null);
    this.owners.set(runId, { elsewhere: cached?.elsewhere ?? false, at: now, pending });
    try {
      const elsewhere = await pending;
      this.owners.set(runId, { elsewhere, at: now });
      return elsewhere;
    } catch (e) {
      this.owners.delete(runId);
      throw e;
    }
  }

  /** Appends a batch for the run's owner now (the ingest API: its 202 means the owner will count it). */
  async send(runId: string, payload: MetricInboxPayload): Promise<void> {
    await appendMetricSamples(this.deps.db, runId, payload);
  }

  /**
   * The sink for routers and OTLP on this instance: the local aggregator when it analyses the run,
   * else the run's buffer (flushed to the inbox if another instance analyses it).
   */
  readonly sink: ForwardingSink = {
    observeRequest: (o) => this.observe(o, 1),
    observeRequests: (o, count) => this.observe(o, count),
    observeGauge: (runId, side, kind, percentOfLimit) => {
      if (this.deps.aggregator.watching(runId)) return this.deps.aggregator.observeGauge(runId, side, kind, percentOfLimit);
      if (!Number.isFinite(percentOfLimit)) return;
      const list = this.bufferOf(runId).gauges;
      if (list.length < MAX_BUFFERED) list.push({ side, resource: kind, percentOfLimit: Math.min(Math.max(percentOfLimit, 0), 10_000) });
    },
  };

  private bufferOf(runId: string): Required<Pick<MetricInboxPayload, "requests" | "gauges">> {
    let b = this.buffered.get(runId);
    if (!b) {
      b = { requests: [], gauges: [] };
      this.buffered.set(runId, b);
    }
    return b;
  }

  private observe(o: RequestObservation, count: number): void {
    if (this.deps.aggregator.watching(o.runId)) {
      if (count === 1) this.deps.aggregator.observeRequest(o);
      else this.deps.aggregator.observeRequests(o, count);
      return;
    }
    if (!(count > 0) || !Number.isSafeInteger(count) || !Number.isFinite(o.latencyMs) || !(o.status >= 0 && o.status <= 599)) return;
    const list = this.bufferOf(o.runId).requests;
    if (list.length >= MAX_BUFFERED) return;
    list.push({ side: o.side, status: o.status, latencyMs: Math.min(Math.max(o.latencyMs, 0), 600_000), ...(count === 1 ? {} : { count }), at: Date.now(), ...(o.region ? { region: o.region } : {}) });
  }

  /** Sends each buffered run's requests as one inbox row, to runs another instance analyses. */
  async flush(): Promise<void> {
    if (this.buffered.size === 0) return;
    const batches = [...this.buffered];
    this.buffered.clear();
    const now = Date.now();
    for (const [runId, at] of this.owners) if (now - at.at > 60_000) this.owners.delete(runId);
    for (const [runId, payload] of batches) {
      if (this.deps.aggregator.watching(runId)) {
        // Became ours meanwhile (a takeover): count them here.
        applyInboxPayload(this.deps.aggregator, runId, payload);
        continue;
      }
      if (!(await this.analysedElsewhere(runId))) continue;
      if (!emptyInboxPayload(payload)) await this.send(runId, payload);
    }
  }
}
