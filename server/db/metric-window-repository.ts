import type { Db } from "./client.ts";
import type { Side } from "../metrics/types.ts";

/** A stored 10 s window of one side of a run (metric_window), its sketch as protobuf bytes. */
export type StoredWindow = {
  side: Side;
  windowStart: Date;
  windowMs: number;
  requests: number;
  errors: number;
  latencySketch: Uint8Array;
  cpuPercent: number | null;
  memoryPercent: number | null;
  attempts: number;
  conversions: number;
};

/** Every stored window of a run, both sides, in time order (the what-if replay's input). */
export async function loadRunWindows(db: Db, runId: string): Promise<StoredWindow[]> {
  const rows = await db.metricWindow.findMany({
    where: { runId },
    orderBy: [{ windowStart: "asc" }, { id: "asc" }],
    select: { side: true, windowStart: true, windowMs: true, requests: true, errors: true, latencySketch: true, cpuPercent: true, memoryPercent: true, attempts: true, conversions: true },
  });
  return rows.map((r) => ({ ...r, side: r.side === "canary" ? "canary" : "baseline" }));
}
