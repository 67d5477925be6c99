import type { Db } from "../db/client.ts";
import { pruneExpiredLeases } from "../db/analysis-lease-repository.ts";
import { pruneMetricInbox } from "../db/metric-inbox-repository.ts";
import { heartbeatInstance, pruneSilentInstances, removeInstance } from "../db/server-instance-repository.ts";

/** How often an instance says it is alive. */
export const HEARTBEAT_MS = 2_000;
/** Inbox rows nobody drained for this long belong to runs nobody analyses any more. */
const INBOX_KEEP_MS = 5 * 60_000;
/** Expired leases are kept a while (who analysed a run last helps when reading logs), then dropped. */
const LEASE_KEEP_MS = 10 * 60_000;
/** An instance silent this long is gone (it was killed): its row goes. */
const SILENT_MS = 10 * 60_000;
const HOUSEKEEPING_EVERY = 15; // heartbeats

type Deps = { db: Db; id: string; address: string; onError: (where: string, e: unknown) => void };

/**
 * This dashboard instance's `server_instance` row (heartbeat every 2 s, removed on a clean stop),
 * and the cluster's housekeeping: leftover inbox rows, long-expired leases and silent instances'
 * rows are deleted. Any instance may do it, several at once: deleting what is already gone is a no-op.
 */
export class InstancePresence {
  private timer: NodeJS.Timeout | null = null;
  private beats = 0;
  private beating: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  start(): void {
    const loop = () => {
      this.beating = this.beat()
        .catch((e: unknown) => this.deps.onError("instance.heartbeat", e))
        .finally(() => {
          this.beating = null;
          if (this.timer) this.timer = setTimeout(loop, HEARTBEAT_MS);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
    await this.beating;
    await removeInstance(this.deps.db, this.deps.id);
  }

  private async beat(): Promise<void> {
    await heartbeatInstance(this.deps.db, this.deps.id, "dashboard", this.deps.address);
    if (this.beats++ % HOUSEKEEPING_EVERY !== 0) return;
    await pruneMetricInbox(this.deps.db, INBOX_KEEP_MS);
    await pruneExpiredLeases(this.deps.db, LEASE_KEEP_MS);
    await pruneSilentInstances(this.deps.db, SILENT_MS);
  }
}
