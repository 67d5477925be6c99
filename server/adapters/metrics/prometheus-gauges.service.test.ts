import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOnLoopback } from "../../testing/loopback-server.ts";
import { PrometheusGaugeScraper, promValue, type GaugeSample } from "./prometheus-gauges.ts";

let rss = 64 * 1024 * 1024;
let cpuSeconds = 10;
let url = "";
let close: () => Promise<void> = async () => {};

beforeAll(async () => {
  const server = createServer((req, res) => {
    if (req.url !== "/metrics") return void res.writeHead(404).end();
    res.end(`# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${rss}\nprocess_cpu_seconds_total ${cpuSeconds}\n`);
  });
  const listening = await listenOnLoopback(server);
  url = `http://127.0.0.1:${listening.port}/metrics`;
  close = listening.close;
});
afterAll(() => close());

describe("Prometheus gauges", () => {
  it("reads gauges and counters, with or without labels", () => {
    expect(promValue('x_total{a="b"} 12\nprocess_resident_memory_bytes 1.5e8\n', "process_resident_memory_bytes")).toBe(1.5e8);
    expect(promValue("other 1\n", "process_resident_memory_bytes")).toBeNull();
  });

  it("reports memory and CPU as percent of the limits, and nothing for a version it cannot reach", async () => {
    const samples: GaugeSample[] = [];
    let now = 0;
    const scraper = new PrometheusGaugeScraper({
      targets: { baseline: url, canary: "http://127.0.0.1:1/metrics" },
      limits: { memoryBytes: 256 * 1024 * 1024, cpuCores: 1 },
      intervalMs: 1_000,
      clock: () => now,
      onSample: (s) => samples.push(s),
    });
    await scraper.scrapeOnce();
    now = 2_000;
    cpuSeconds += 1; // one CPU-second over two seconds: 50% of one core
    rss = 512 * 1024 * 1024;
    await scraper.scrapeOnce();
    expect(samples.filter((s) => s.side === "canary")).toEqual([]);
    expect(samples.filter((s) => s.resource === "memory").map((s) => s.percentOfLimit)).toEqual([25, 200]);
    expect(samples.filter((s) => s.resource === "cpu").map((s) => Math.round(s.percentOfLimit))).toEqual([50]);
  });
});
