import { MAX_INBOX_ENTRIES, type InboxRequest } from "../db/metric-inbox-repository.ts";
import type { ObservationSink, RequestObservation } from "../metrics/types.ts";

// Latencies are counted in logarithmic buckets 0.5% wide (either side of the value sent): well
// inside the analysis sketch's own 1% relative accuracy, and a few hundred distinct values per
// run and second instead of one inbox entry per request.
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
const MIN_MS = 0.001;
const BUCKETS = 4_096;
const STATUSES = 600;
const MAX_ENTRIES = MAX_INBOX_ENTRIES;

type Counts = Map<number, number>;
/** A run's counts by the region whose router saw the requests ("" for none). */
type RegionCounts = Map<string, Counts>;

/** What one batch sends: per run, the requests as `{ side, status, latencyMs, count }` entries. */
export type RequestBatches = Map<string, InboxRequest[]>;

/**
 * The router process's observation sink: counts each run's requests by side, status and latency
 * bucket in a numeric-keyed map (no object, string or array per request: the hot path), and hands
 * them over as compact inbox entries when `take()` is called (every 250 ms). The analysis owner's
 * aggregator takes a count per entry, so what it sees is what one `observeRequest` per request
 * would have recorded, to within the bucket width.
 */
export class InboxSink implements ObservationSink {
  private runs = new Map<string, RegionCounts>();

  observeRequest(o: RequestObservation): void {
    if (!(o.status >= 0 && o.status < STATUSES) || !Number.isFinite(o.latencyMs)) return;
    let regions = this.runs.get(o.runId);
    if (!regions) {
      regions = new Map();
      this.runs.set(o.runId, regions);
    }
    // Kept apart by region: a region-by-region run's analysis counts only its current region's.
    const region = o.region ?? "";
    let counts = regions.get(region);
    if (!counts) {
      counts = new Map();
      regions.set(region, counts);
    }
    const key = ((o.side === "canary" ? STATUSES : 0) + Math.trunc(o.status)) * BUCKETS + bucketOf(o.latencyMs);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  /** Everything counted since the last call, by run; the counts start again from zero. */
  take(): RequestBatches {
    const runs = this.runs;
    this.runs = new Map();
    const out: RequestBatches = new Map();
    for (const [runId, regions] of runs) {
      const entries: InboxRequest[] = [];
      for (const [region, counts] of regions) {
        for (const [key, count] of counts) {
          const bucket = key % BUCKETS;
          const code = (key - bucket) / BUCKETS;
          const canary = code >= STATUSES;
          entries.push({ side: canary ? "canary" : "baseline", status: canary ? code - STATUSES : code, latencyMs: latencyOf(bucket), ...(count === 1 ? {} : { count }), ...(region ? { region } : {}) });
        }
      }
      out.set(runId, entries);
    }
    return out;
  }
}

function bucketOf(ms: number): number {
  if (ms < MIN_MS) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.ceil(Math.log(ms / MIN_MS) / LOG_GAMMA));
}

/** The bucket's middle (geometric): within 0.5% of every latency counted in it. */
function latencyOf(bucket: number): number {
  if (bucket === 0) return 0;
  return Math.min(600_000, MIN_MS * GAMMA ** (bucket - 1.5));
}

/** Where the counted requests go: the metric forwarder's owner check and inbox append. */
export type InboxTarget = {
  analysedElsewhere(runId: string): Promise<boolean>;
  send(runId: string, payload: { requests: InboxRequest[] }): Promise<void>;
};

/**
 * Sends what the sink counted every `everyMs` to each run's analysis owner (runs nobody analyses
 * are dropped, as a dashboard drops them). Returns a stop function that sends what is left.
 */
export function flushToInbox(sink: InboxSink, target: InboxTarget, onError: (where: string, e: unknown) => void, everyMs = 250): () => Promise<void> {
  const flush = async () => {
    for (const [runId, requests] of sink.take()) {
      try {
        if (!(await target.analysedElsewhere(runId))) continue;
        for (let i = 0; i < requests.length; i += MAX_ENTRIES) await target.send(runId, { requests: requests.slice(i, i + MAX_ENTRIES) });
      } catch (e) {
        onError("router.observations", e);
      }
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(flush);
  }, everyMs);
  return async () => {
    clearInterval(timer);
    running = running.then(flush);
    await running;
  };
}
