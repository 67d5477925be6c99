import { request } from "undici";
import type { Side } from "../../metrics/types.ts";
import { readMetric } from "./prometheus-text.ts";

/** The resource limits a version runs under; gauges are reported as percent of them. */
export type ResourceLimits = { memoryBytes: number; cpuCores: number };

export type GaugeSample = { side: Side; resource: "cpu" | "memory"; percentOfLimit: number };

/** Reads one gauge or counter from Prometheus text exposition (summed over its series); null when absent or malformed. */
export function promValue(text: string, name: string): number | null {
  const reading = readMetric(text, name);
  return "value" in reading ? reading.value : null;
}

/**
 * Scrapes each version's Prometheus endpoint (`process_resident_memory_bytes`,
 * `process_cpu_seconds_total`) on an interval and reports memory and CPU as percent of the
 * environment's limits — the inputs of the CPU and memory rollback triggers. A scrape that
 * fails reports nothing (never a zero that would read as healthy).
 */
export class PrometheusGaugeScraper {
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = new Map<Side, { seconds: number; at: number }>();

  constructor(
    private readonly opts: {
      targets: Record<Side, string>;
      limits: ResourceLimits;
      intervalMs: number;
      clock: () => number;
      onSample: (s: GaugeSample) => void;
    },
  ) {}

  start(): void {
    const loop = () => {
      void this.scrapeOnce().finally(() => {
        if (this.timer) this.timer = setTimeout(loop, this.opts.intervalMs);
      });
    };
    this.timer = setTimeout(loop, this.opts.intervalMs);
  }

  stop(): void {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
  }

  async scrapeOnce(): Promise<void> {
    await Promise.all(
      (Object.keys(this.opts.targets) as Side[]).map(async (side) => {
        try {
          const res = await request(this.opts.targets[side], { headersTimeout: 2_000, bodyTimeout: 2_000 });
          const text = await res.body.text();
          if (res.statusCode !== 200) return;
          const now = this.opts.clock();
          const rss = promValue(text, "process_resident_memory_bytes");
          if (rss !== null) this.opts.onSample({ side, resource: "memory", percentOfLimit: (100 * rss) / this.opts.limits.memoryBytes });
          const cpu = promValue(text, "process_cpu_seconds_total");
          const prev = this.lastCpu.get(side);
          if (cpu !== null) {
            this.lastCpu.set(side, { seconds: cpu, at: now });
            if (prev && now > prev.at && cpu >= prev.seconds) {
              const coresUsed = (cpu - prev.seconds) / ((now - prev.at) / 1000);
              this.opts.onSample({ side, resource: "cpu", percentOfLimit: (100 * coresUsed) / this.opts.limits.cpuCores });
            }
          }
        } catch {
          // unreachable or slow: no sample this time
        }
      }),
    );
  }
}
