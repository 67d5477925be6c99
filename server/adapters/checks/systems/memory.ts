import { setTimeout as sleep } from "node:timers/promises";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, httpGet, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { excerpt, redactUrl } from "../../report-text.ts";
import type { TMemory } from "./config.ts";
import { readMetric } from "../../metrics/prometheus-text.ts";

/** The metric every Prometheus client library exports for a process's resident set size. */
export const RSS_METRIC = "process_resident_memory_bytes";
/** One sample a second, as the procedure asks; a sample slower than this is skipped, not waited for. */
const SAMPLE_INTERVAL_MS = 1_000;
const SAMPLE_TIMEOUT_MS = 2_000;
/** A busy service's /metrics page runs to megabytes; the RSS line may come anywhere in it. */
const MAX_METRICS_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

/** The resident memory samples of one watch, in bytes, first to last, and the samples that failed. */
export type MemoryTrace = { samples: number[]; failures: string[]; startedAt: number; endedAt: number };

/** A running sampler: `stop` takes the last sample and hands back the whole trace. */
export type MemorySampler = { stop: () => Promise<MemoryTrace> };

/**
 * The memory watch that rides along with the load test: the load test sub-check fills it, the
 * memory sub-check after it judges it. Still `pending` when the load test could not run.
 */
export type MemoryUnderLoad = { state: "pending" } | { state: "measured"; trace: MemoryTrace } | { state: "failed"; problem: string };

/** The memory configuration and what the load test measured with it. */
export type MemoryWatch = { config: TMemory; underLoad: MemoryUnderLoad };

/**
 * Takes a first sample (which must succeed: without a start there is no growth to measure), then
 * one a second until stopped. Later samples may fail under load; they are counted, not fatal.
 */
export async function startMemorySampler(metricsUrl: string, ctx: SubCheckContext): Promise<MemorySampler> {
  const first = await sampleRss(metricsUrl, ctx.signal);
  if ("problem" in first) throw new CannotRunError(`${redactUrl(metricsUrl)}: ${first.problem}`);
  const trace: MemoryTrace = { samples: [first.bytes], failures: [], startedAt: ctx.now(), endedAt: ctx.now() };
  const stopping = new AbortController();
  const until = AbortSignal.any([ctx.signal, stopping.signal]);
  const take = async () => {
    const sample = await sampleRss(metricsUrl, ctx.signal);
    if ("problem" in sample) trace.failures.push(sample.problem);
    else trace.samples.push(sample.bytes);
  };
  const loop = (async () => {
    while (!until.aborted) {
      await sleep(SAMPLE_INTERVAL_MS, undefined, { signal: until }).catch(() => {});
      if (!until.aborted) await take();
    }
  })().catch(() => {}); // only a run abort ends it early; stop() then rethrows it
  return {
    async stop() {
      stopping.abort();
      await loop;
      ctx.signal.throwIfAborted();
      await take();
      trace.endedAt = ctx.now();
      return trace;
    },
  };
}

/** Without a load test: watches the memory for the configured window. */
export async function checkMemoryOverWindow(memory: TMemory, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  await ctx.log(`watching ${RSS_METRIC} at ${redactUrl(memory.metricsUrl)} for ${memory.windowSeconds} s (no load test configured)`);
  const sampler = await startMemorySampler(memory.metricsUrl, ctx);
  try {
    for (let second = 1; second <= memory.windowSeconds && !ctx.signal.aborted; second++) {
      await sleep(1_000, undefined, { signal: ctx.signal }).catch(() => {});
      await ctx.progress(second / memory.windowSeconds);
    }
  } catch (e) {
    // A failed progress write must not leave the sampler polling the service every second.
    await sampler.stop().catch(() => {});
    throw e;
  }
  return assessMemory(await sampler.stop(), memory, `over ${memory.windowSeconds} s without load`);
}

/** Judges the trace the load test recorded. */
export function checkMemoryUnderLoad({ config, underLoad }: MemoryWatch): SubCheckOutcome {
  if (underLoad.state === "pending") throw new CannotRunError("memory under load not measured: the load test did not run");
  if (underLoad.state === "failed") throw new CannotRunError(underLoad.problem);
  return assessMemory(underLoad.trace, config, "under load");
}

/**
 * Growth is peak minus first sample: the peak is what meets the container's memory limit, and a
 * leak that the garbage collector hides by the end of the test still needed that memory.
 */
export function assessMemory(trace: MemoryTrace, memory: TMemory, when: string): SubCheckOutcome {
  const { samples, failures } = trace;
  if (samples.length < 2) throw new CannotRunError(`only ${samples.length} memory sample(s) succeeded; first failure: ${failures[0] ?? "none"}`);
  const start = samples[0] ?? 0;
  const end = samples[samples.length - 1] ?? 0;
  const peak = Math.max(...samples);
  const growth = peak - start;
  const growthPercent = start > 0 ? (growth / start) * 100 : 0;
  const seconds = Math.max(0, Math.round((trace.endedAt - trace.startedAt) / 1000));
  const failed = failures.length === 0 ? "" : ` (${failures.length} failed, e.g. ${excerpt(failures[0] ?? "", 120)})`;
  const summary = `start ${mib(start)}, peak ${mib(peak)}, end ${mib(end)}, growth ${mib(growth)} (+${growthPercent.toFixed(1)}%)`;
  const evidence = `${RSS_METRIC} ${when}: ${summary}; ${samples.length} samples over ${seconds} s${failed}`;
  const findings: CheckFinding[] = [{ severity: "info", message: `resident memory ${when}: ${summary}`, evidence }];
  const limits = [
    memory.maxGrowthMb !== undefined && growth > memory.maxGrowthMb * MIB ? `${memory.maxGrowthMb} MiB` : null,
    memory.maxGrowthPercent !== undefined && growthPercent > memory.maxGrowthPercent ? `${memory.maxGrowthPercent}%` : null,
  ].filter((l) => l !== null);
  if (limits.length > 0) findings.push({ severity: "high", message: `resident memory grew ${mib(growth)} (+${growthPercent.toFixed(1)}%) ${when}, above the limit of ${limits.join(" and ")}`, evidence });
  return { findings, checked: `memory ${when} (${samples.length} samples)` };
}

async function sampleRss(metricsUrl: string, signal: AbortSignal): Promise<{ bytes: number } | { problem: string }> {
  const res = await httpGet(metricsUrl, signal, SAMPLE_TIMEOUT_MS, MAX_METRICS_BYTES);
  if ("problem" in res) return res;
  if (res.status < 200 || res.status >= 300) return { problem: `HTTP ${res.status}${res.body.trim() === "" ? "" : ` "${excerpt(res.body, 120)}"`}` };
  const reading = readMetric(res.body, RSS_METRIC);
  return "problem" in reading ? reading : { bytes: reading.value };
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
