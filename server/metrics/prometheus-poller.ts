import { NO_CARRY, requestsFromWindow, type WindowCarry } from "../core/analysis/histogram-window.ts";
import type { Db } from "../db/client.ts";
import { parseStoredMetricSource, type TMetricSource } from "../db/metric-source-schema.ts";
import { runsInRollout } from "../db/run-repository.ts";
import { countedWindow, usableMetricSource, type QuerySubject } from "./prometheus-queries.ts";
import type { ObservationSink, Side } from "./types.ts";

type Deps = {
  db: Db;
  /** the metrics aggregator: what the analysis reads */
  sink: ObservationSink;
  clock: () => number;
  onError: (where: string, e: unknown) => void;
  /** how long after a window ends it is queried, so the scrape that closes it has landed (ms); default 2 000 */
  settleMs?: number;
  /** per-query timeout (ms); default 5 000 */
  timeoutMs?: number;
  /** the secret header values are encrypted under; default the session secret (server/secrets.ts) */
  masterSecret?: string;
  /**
   * With several instances: whether this one analyses the run (holds its analysis lease). Only the
   * owner polls, so every window is counted once and lands in the aggregator that analyses it.
   * Absent: every run (a lone process).
   */
  owns?: (runId: string) => boolean;
};

type Polled = {
  /** the environment's source as last read (a change in Settings applies at the next refresh) */
  sourceJson: string;
  source: TMetricSource;
  subjects: Record<Side, QuerySubject>;
  /** the end of the next window to query: windows tile time, so each request is counted once */
  nextEndAt: number;
  carry: Record<Side, WindowCarry>;
  failures: number;
  retryAt: number;
  /** said once per run: requests without histogram data cannot be observed */
  warnedNoHistogram: boolean;
};

const SIDES: readonly Side[] = ["baseline", "canary"];
// As often as the analysis loop looks for runs: a router's requests are dropped for a run only once it is known here.
const REFRESH_MS = 1_000;
const TICK_MS = 500;
const MAX_BACKOFF_MS = 300_000;
/** Windows older than this many intervals are not caught up after an outage: the evidence is stale. */
const MAX_CATCH_UP_WINDOWS = 10;

/**
 * Polls the Prometheus of every environment that has one, for each run in its rollout, and feeds
 * what it counted into the same aggregator the routers feed (core/analysis/histogram-window.ts
 * says how counts become requests). Windows are `intervalSeconds` long and end at fixed instants,
 * so consecutive `increase(…[{window}])` queries tile time; a window missed while Prometheus was
 * unreachable is queried late (Prometheus still has the samples), up to ten windows back. Failures
 * are logged and retried with exponential backoff; nothing here throws into the server.
 */
export class PrometheusPoller {
  private readonly polled = new Map<string, Polled>();
  /** runs whose environment has a Prometheus source, polled here or by the instance that owns them */
  private sourced = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private lastRefresh = 0;
  private busy = false;

  constructor(private readonly deps: Deps) {}

  start(): void {
    const loop = () => {
      void this.cycle()
        .catch((e: unknown) => this.deps.onError("prometheus", e))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, TICK_MS);
        });
    };
    this.timer = setTimeout(loop, TICK_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Whether Prometheus is this run's request source. A router in front of the same service sees the
   * same requests: its observations must then be dropped (see `routerSink`), or each would count twice.
   */
  feeds(runId: string): boolean {
    return this.sourced.has(runId);
  }

  /** The sink to give routers: everything to `sink`, except requests of runs Prometheus feeds. */
  routerSink(sink: ObservationSink): ObservationSink {
    return { observeRequest: (o) => (this.feeds(o.runId) ? undefined : sink.observeRequest(o)) };
  }

  /** One round: which runs to poll, then every window that is due (public for tests). */
  async cycle(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.deps.clock();
      if (now - this.lastRefresh >= REFRESH_MS) await this.refresh(now);
      await Promise.all([...this.polled].map(([runId, p]) => this.pollDue(runId, p)));
    } finally {
      this.busy = false;
    }
  }

  private async refresh(now: number): Promise<void> {
    this.lastRefresh = now;
    const [runs, environments] = await Promise.all([
      runsInRollout(this.deps.db),
      this.deps.db.environment.findMany({ select: { name: true, metricSource: true, service: { select: { slug: true } } } }),
    ]);
    const sources = new Map<string, string>();
    for (const e of environments) if (e.metricSource !== null) sources.set(`${e.service.slug}\u0000${e.name}`, JSON.stringify(e.metricSource));
    const seen = new Set<string>();
    const sourced = new Set<string>();
    for (const run of runs) {
      const p = run.state.params;
      const sourceJson = sources.get(`${p.service}\u0000${p.environment}`);
      if (!sourceJson || !p.analysis) continue;
      sourced.add(run.id);
      if (this.deps.owns && !this.deps.owns(run.id)) continue;
      seen.add(run.id);
      const current = this.polled.get(run.id);
      if (current?.sourceJson === sourceJson) continue;
      let source: TMetricSource;
      try {
        const stored = parseStoredMetricSource(JSON.parse(sourceJson));
        if (!stored) {
          sourced.delete(run.id);
          continue;
        }
        source = usableMetricSource(stored, this.deps.masterSecret);
      } catch (e) {
        sourced.delete(run.id);
        this.deps.onError("prometheus", new Error(`${p.service} ${p.environment}: the stored metric source is unusable (${e instanceof Error ? e.message : String(e)}); save it again in Settings`));
        continue;
      }
      const intervalMs = source.intervalSeconds * 1000;
      this.polled.set(run.id, {
        sourceJson,
        source,
        subjects: {
          baseline: { service: p.service, version: p.baselineVersion, side: "baseline" },
          canary: { service: p.service, version: p.targetVersion, side: "canary" },
        },
        // The first window starts now: what was served before this run was watched is not its evidence.
        nextEndAt: current?.nextEndAt ?? now + intervalMs,
        carry: current?.carry ?? { baseline: NO_CARRY, canary: NO_CARRY },
        failures: 0,
        retryAt: 0,
        warnedNoHistogram: current?.warnedNoHistogram ?? false,
      });
    }
    for (const runId of this.polled.keys()) if (!seen.has(runId)) this.polled.delete(runId);
    this.sourced = sourced;
  }

  private async pollDue(runId: string, p: Polled): Promise<void> {
    const intervalMs = p.source.intervalSeconds * 1000;
    for (;;) {
      const now = this.deps.clock();
      if (now < p.nextEndAt + (this.deps.settleMs ?? 2_000) || now < p.retryAt || !this.polled.has(runId)) return;
      const behind = Math.floor((now - p.nextEndAt) / intervalMs);
      if (behind > MAX_CATCH_UP_WINDOWS) {
        p.nextEndAt += behind * intervalMs;
        p.carry = { baseline: NO_CARRY, canary: NO_CARRY };
        this.deps.onError("prometheus", new Error(`${p.subjects.canary.service}: ${behind} windows not polled in time are skipped (the analysis resumes from now)`));
        continue;
      }
      const ok = await this.pollWindow(runId, p, p.nextEndAt, `${p.source.intervalSeconds}s`);
      if (!ok) return;
      p.nextEndAt += intervalMs;
    }
  }

  /** Queries both sides' window ending at `endAt`; feeds only when both answered, so a retry never counts one side twice. */
  private async pollWindow(runId: string, p: Polled, endAt: number, window: string): Promise<boolean> {
    const answers = await Promise.all(SIDES.map((side) => countedWindow(p.source, p.subjects[side], endAt, window, this.deps.timeoutMs)));
    const failed = answers.find((a) => !a.ok);
    if (failed && !failed.ok) {
      p.failures++;
      const backoff = Math.min(p.source.intervalSeconds * 1000 * 2 ** (p.failures - 1), MAX_BACKOFF_MS);
      p.retryAt = this.deps.clock() + backoff;
      this.deps.onError("prometheus", new Error(`${p.subjects.canary.service} (${p.source.url}): ${failed.error}; retrying in ${Math.round(backoff / 1000)} s`));
      return false;
    }
    p.failures = 0;
    p.retryAt = 0;
    SIDES.forEach((side, i) => {
      const answer = answers[i];
      if (!answer?.ok || answer.window === null) return;
      const out = requestsFromWindow(answer.window, p.carry[side]);
      p.carry[side] = out.carry;
      if (out.skipped === "no-histogram" && !p.warnedNoHistogram) {
        p.warnedNoHistogram = true;
        this.deps.onError("prometheus", new Error(`${p.subjects[side].service} ${side} ${p.subjects[side].version}: requests counted but the latencyBuckets query returned nothing; they are kept until it does`));
      }
      for (const r of out.requests) this.deps.sink.observeRequest({ runId, side, status: r.status, latencyMs: r.latencyMs });
    });
    return true;
  }
}
