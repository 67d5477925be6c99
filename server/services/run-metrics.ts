import type { Db } from "../db/client.ts";
import { findRunRef } from "../db/run-repository.ts";
import type { RunMetrics } from "../contracts/runs-api.ts";

/** A run's stored metric windows (both sides) and its latest analysis evaluation. */
export type { RunMetrics } from "../contracts/runs-api.ts";

const MAX_WINDOWS = 2_000;

export async function getRunMetrics(db: Db, runId: string): Promise<RunMetrics | null> {
  const run = await findRunRef(db, runId);
  if (!run) return null;
  const [windows, latest] = await Promise.all([
    db.metricWindow.findMany({
      where: { runId },
      orderBy: { windowStart: "desc" },
      take: MAX_WINDOWS,
      select: { windowStart: true, windowMs: true, side: true, requests: true, errors: true, p50: true, p95: true, p99: true, cpuPercent: true, memoryPercent: true },
    }),
    db.analysisEvaluation.findFirst({ where: { runId }, orderBy: { id: "desc" } }),
  ]);
  return {
    windows: windows.reverse().map((w) => ({
      at: new Date(w.windowStart.getTime() + w.windowMs).toISOString(),
      side: w.side,
      requests: w.requests,
      errors: w.errors,
      p50: w.p50,
      p95: w.p95,
      p99: w.p99,
      cpuPercent: w.cpuPercent,
      memoryPercent: w.memoryPercent,
    })),
    latestAnalysis: latest
      ? { at: latest.at.toISOString(), stepIndex: latest.stepIndex, verdict: latest.verdict, summary: latest.summary, requestsNeeded: latest.requestsNeeded, evaluations: latest.evaluations }
      : null,
  };
}
