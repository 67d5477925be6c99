import { describe, expect, it } from "vitest";
import { createLatencySample } from "./latency-sample.ts";
import { readMetric } from "../../metrics/prometheus-text.ts";

describe("Prometheus text", () => {
  it("reads the metric past comments, labels with awkward values, scientific notation and timestamps", () => {
    const page = [
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      "process_resident_memory_bytes_total 999",
      'process_resident_memory_bytes{worker="a} b",note="say \\"hi\\""} 1.5e+08 1700000000000',
      "",
      "process_resident_memory_bytes{worker=\"b\"}   5E7",
    ].join("\n");
    expect(readMetric(page, "process_resident_memory_bytes")).toEqual({ value: 2e8, series: 2 });
  });

  it("says what is wrong instead of guessing", () => {
    expect(readMetric("# only comments\nhttp_requests_total 3\n", "process_resident_memory_bytes")).toEqual({ problem: "metric process_resident_memory_bytes not found" });
    expect(readMetric("process_resident_memory_bytes NaN\n", "process_resident_memory_bytes")).toEqual({ problem: "line 1: process_resident_memory_bytes is NaN" });
    expect(readMetric('process_resident_memory_bytes{pod="x 12\n', "process_resident_memory_bytes")).toEqual({ problem: expect.stringContaining("line 1: unterminated label set") });
    expect(readMetric("process_resident_memory_bytes 12MB\n", "process_resident_memory_bytes")).toEqual({ problem: 'line 1: "12MB" is not a sample value' });
  });
});

describe("latency sample", () => {
  it("nearest-rank percentiles over every response while under capacity", () => {
    const sample = createLatencySample(1_000);
    for (let ms = 100; ms >= 1; ms--) sample.record(ms);
    expect(sample.count).toBe(100);
    expect(sample.percentiles([50, 95, 99, 100])).toEqual([50, 95, 99, 100]);
  });

  it("stays bounded beyond capacity and still estimates the whole distribution", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const sample = createLatencySample(2_000, random);
    for (let i = 1; i <= 200_000; i++) sample.record(i % 1_000);
    expect(sample.count).toBe(200_000);
    const [p50 = 0, p95 = 0] = sample.percentiles([50, 95]);
    expect(Math.abs(p50 - 500)).toBeLessThan(40);
    expect(Math.abs(p95 - 950)).toBeLessThan(20);
  });
});
