import autocannon from "autocannon";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, httpGet, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { redactUrl } from "../../report-text.ts";
import type { TLoadTest } from "./config.ts";
import { createLatencySample } from "./latency-sample.ts";
import { startMemorySampler, type MemorySampler, type MemoryWatch } from "./memory.ts";

/** Fewer responses than this cannot say anything about a p99 (it would be one of the slowest few). */
export const MIN_RESPONSES = 50;

/** What the load test measured over every attempt it made. */
export type LoadMeasurement = {
  /** responses received, whatever their status */
  responses: number;
  /** responses outside 2xx, by status code */
  non2xx: Map<number, number>;
  /** connection errors and timeouts (a timeout is also counted in `timeouts`) */
  requestErrors: number;
  timeouts: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  durationSeconds: number;
};

/**
 * Runs the load test against the staging URL and holds it to the SLA; when memory is configured,
 * samples the service's memory before, during and after the load into `underLoad` for the memory
 * sub-check (a memory endpoint that fails does not stop the load test).
 */
export async function checkLoadTest(load: TLoadTest, ctx: SubCheckContext, memory?: MemoryWatch): Promise<SubCheckOutcome> {
  const target = redactUrl(load.url);
  const preflight = await httpGet(load.url, ctx.signal, load.requestTimeoutSeconds * 1000);
  if ("problem" in preflight) throw new CannotRunError(`${target} did not answer before the load test: ${preflight.problem}`);

  const sampler = memory === undefined ? undefined : await startSampler(memory, ctx);
  let measured: LoadMeasurement;
  try {
    measured = await runLoad(load, ctx);
  } finally {
    if (memory !== undefined && sampler !== undefined) memory.underLoad = { state: "measured", trace: await sampler.stop() };
  }
  const rate = load.ratePerSecond === undefined ? "" : ` at most ${load.ratePerSecond} req/s,`;
  const plan = `GET ${target} with ${load.connections} connection(s),${rate} ${load.durationSeconds} s`;
  if (measured.responses < MIN_RESPONSES) {
    throw new CannotRunError(`${plan}: only ${measured.responses} response(s) and ${measured.requestErrors} failed request(s); at least ${MIN_RESPONSES} responses are needed to judge the SLA`);
  }
  const { findings, line } = assessLoad(measured, load.sla);
  return { findings: [{ severity: "info", message: `load test: ${line}`, evidence: plan }, ...findings], checked: `load test (${count(measured.responses + measured.requestErrors)} requests)` };
}

/** The SLA verdicts: one high finding per breached limit, with the numbers behind it. */
function assessLoad(m: LoadMeasurement, sla: TLoadTest["sla"]): { findings: CheckFinding[]; line: string } {
  const attempts = m.responses + m.requestErrors;
  const failures = [...m.non2xx.values()].reduce((a, b) => a + b, 0) + m.requestErrors;
  const errorRate = attempts === 0 ? 0 : failures / attempts;
  const n = `(n = ${count(m.responses)} requests)`;
  const findings: CheckFinding[] = [];
  for (const [name, value, limit] of [
    ["p50", m.p50Ms, sla.p50Ms],
    ["p95", m.p95Ms, sla.p95Ms],
    ["p99", m.p99Ms, sla.p99Ms],
  ] as const) {
    if (limit !== undefined && value > limit) {
      findings.push({ severity: "high", message: `${name} latency ${ms(value)} under load, above the SLA of ${ms(limit)}`, evidence: `${name} ${ms(value)} > SLA ${ms(limit)} ${n}` });
    }
  }
  if (errorRate > sla.maxErrorRate) {
    findings.push({
      severity: "high",
      message: `error rate ${percent(errorRate)} under load, above the SLA of ${percent(sla.maxErrorRate)}`,
      evidence: `error rate ${percent(errorRate)} > SLA ${percent(sla.maxErrorRate)} (${count(failures)} of ${count(attempts)} requests failed: ${failureBreakdown(m)})`,
    });
  }
  const line = `${count(attempts)} requests in ${m.durationSeconds} s, p50 ${ms(m.p50Ms)}, p95 ${ms(m.p95Ms)}, p99 ${ms(m.p99Ms)}, error rate ${percent(errorRate)}`;
  return { findings, line };
}

async function startSampler(memory: MemoryWatch, ctx: SubCheckContext): Promise<MemorySampler | undefined> {
  try {
    return await startMemorySampler(memory.config.metricsUrl, ctx);
  } catch (e) {
    if (!(e instanceof CannotRunError)) throw e;
    memory.underLoad = { state: "failed", problem: e.message };
    await ctx.log(`memory not sampled during the load test: ${e.message}`);
    return undefined;
  }
}

/** Runs autocannon, recording every response's latency and status and every failed request; stops at once on abort. */
function runLoad(load: TLoadTest, ctx: SubCheckContext): Promise<LoadMeasurement> {
  const latencies = createLatencySample();
  const non2xx = new Map<number, number>();
  let requestErrors = 0;
  let timeouts = 0;
  let lastSecond = 0;
  let logging = Promise.resolve();
  let seconds = 0;
  const startedAt = ctx.now();

  return new Promise<LoadMeasurement>((resolve, reject) => {
    ctx.signal.throwIfAborted();
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: load.durationSeconds,
        overallRate: load.ratePerSecond,
        timeout: load.requestTimeoutSeconds,
        // The tick below and the SLA use our own latencies; autocannon's summary has no p95.
        skipAggregateResult: true,
        // autocannon notices a stop (end of duration, abort) only at its next sample; the default 1 s is too late to stop "at once".
        sampleInt: 50,
      },
      (err) => {
        ctx.signal.removeEventListener("abort", stop);
        void logging.then(() => {
          if (ctx.signal.aborted) return reject(ctx.signal.reason);
          if (err !== null && err !== undefined) return reject(new CannotRunError(`autocannon could not run: ${err instanceof Error ? err.message : String(err)}`));
          const [p50Ms = Number.NaN, p95Ms = Number.NaN, p99Ms = Number.NaN] = latencies.percentiles([50, 95, 99]);
          resolve({ responses: latencies.count, non2xx, requestErrors, timeouts, p50Ms, p95Ms, p99Ms, durationSeconds: Math.round((ctx.now() - startedAt) / 100) / 10 });
        }, reject);
      },
    );
    const stop = () => instance.stop();
    ctx.signal.addEventListener("abort", stop, { once: true });
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      latencies.record(responseTime);
      if (statusCode < 200 || statusCode >= 300) non2xx.set(statusCode, (non2xx.get(statusCode) ?? 0) + 1);
    });
    instance.on("reqError", (error: unknown) => {
      requestErrors += 1;
      // autocannon reports a timeout as a request error with this message (lib/run.js onTimeout).
      if (error instanceof Error && error.message === "request timed out") timeouts += 1;
    });
    instance.on("tick", () => {
      seconds += 1;
      const perSecond = latencies.count - lastSecond;
      lastSecond = latencies.count;
      const [p95] = latencies.percentiles([95]);
      const line = `load ${seconds}/${Math.ceil(load.durationSeconds)} s: ${count(perSecond)} req/s, p95 so far ${p95 === undefined || Number.isNaN(p95) ? "–" : ms(p95)}, ${count(requestErrors)} failed request(s)`;
      logging = logging.then(() => ctx.log(line)).then(() => ctx.progress(Math.min(1, seconds / load.durationSeconds)));
    });
  });
}

function failureBreakdown(m: LoadMeasurement): string {
  const statuses = [...m.non2xx.entries()].sort((a, b) => b[1] - a[1]).map(([status, n]) => `HTTP ${status} × ${count(n)}`);
  const connection = m.requestErrors - m.timeouts;
  return [...statuses, `${count(connection)} connection error(s)`, `${count(m.timeouts)} timeout(s)`].join(", ");
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
