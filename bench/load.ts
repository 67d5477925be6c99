/**
 * HTTP load from this process with undici: an open-loop fixed rate that records every latency,
 * and a closed loop (N keep-alive connections, each sending its next request on the last answer)
 * for maximum throughput. Both are bounded in time.
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { sleep } from "./lib.ts";

export type FixedRateResult = { latenciesMs: number[]; sent: number; ok: number; failed: number; skipped: number };

/**
 * Sends `rps` GETs per second to each origin in `origins`, one after the other in alternating
 * blocks of `blockMs` (so drift on a busy machine hits both alike), for `blocksEach` blocks each.
 * Latency runs from the request call to the end of the body. A request due while `maxInFlight`
 * are pending is skipped (counted), never queued: the rate is held, not the backlog.
 */
export async function fixedRateAlternating(
  origins: string[],
  opts: { rps: number; blockMs: number; blocksEach: number; path?: string; maxInFlight?: number; warmupMs?: number },
): Promise<FixedRateResult[]> {
  const path = opts.path ?? "/";
  const maxInFlight = opts.maxInFlight ?? 128;
  const pools = origins.map((o) => new Pool(o, { connections: maxInFlight, keepAliveTimeout: 30_000 }));
  const results: FixedRateResult[] = origins.map(() => ({ latenciesMs: [], sent: 0, ok: 0, failed: 0, skipped: 0 }));
  try {
    // Warm up: open connections and JIT both sides, not recorded.
    for (const pool of pools) await block(pool, null, opts.warmupMs ?? 500);
    for (let b = 0; b < opts.blocksEach; b++) {
      for (const [i, pool] of pools.entries()) await block(pool, results[i] ?? null, opts.blockMs);
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
  return results;

  async function block(pool: Pool, into: FixedRateResult | null, durationMs: number): Promise<void> {
    const start = performance.now();
    let issued = 0;
    let inFlight = 0;
    const pending = new Set<Promise<void>>();
    while (performance.now() - start < durationMs) {
      const due = Math.floor(((performance.now() - start) * opts.rps) / 1_000);
      for (; issued < due; issued++) {
        if (inFlight >= maxInFlight) {
          if (into) into.skipped++;
          continue;
        }
        inFlight++;
        if (into) into.sent++;
        const t0 = performance.now();
        const p = pool
          .request({ path, method: "GET", headersTimeout: 5_000, bodyTimeout: 5_000 })
          .then(async (res) => {
            await res.body.dump();
            const ms = performance.now() - t0;
            if (into) {
              if (res.statusCode === 200) {
                into.ok++;
                into.latenciesMs.push(ms);
              } else into.failed++;
            }
          })
          .catch(() => {
            if (into) into.failed++;
          })
          .finally(() => {
            inFlight--;
            pending.delete(p);
          });
        pending.add(p);
      }
      await sleep(1);
    }
    // Let the block's stragglers land in it, bounded.
    await Promise.race([Promise.allSettled([...pending]), sleep(5_000)]);
  }
}

export type ClosedLoopResult = { rps: number; ok: number; failed: number; seconds: number };

/** `connections` keep-alive connections, each sending back to back, for durationMs (after a warm-up). */
export async function closedLoop(origin: string, opts: { connections: number; durationMs: number; warmupMs?: number; path?: string }): Promise<ClosedLoopResult> {
  const path = opts.path ?? "/";
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const run = async (durationMs: number) => {
    let ok = 0;
    let failed = 0;
    const start = performance.now();
    const end = start + durationMs;
    const worker = async () => {
      while (performance.now() < end) {
        try {
          const res = await pool.request({ path, method: "GET", headersTimeout: 5_000, bodyTimeout: 5_000 });
          await res.body.dump();
          if (res.statusCode === 200) ok++;
          else failed++;
        } catch {
          failed++;
          await sleep(1);
        }
      }
    };
    await Promise.all(Array.from({ length: opts.connections }, worker));
    const seconds = (performance.now() - start) / 1_000;
    return { rps: ok / seconds, ok, failed, seconds };
  };
  try {
    await run(opts.warmupMs ?? 1_000);
    return await run(opts.durationMs);
  } finally {
    await pool.destroy();
  }
}
