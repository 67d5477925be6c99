import { TERMINAL_STATUSES } from "../core/types.ts";
import type { ApiRun, ApiRunEventType } from "../contracts/api-v1.ts";
import type { DomainEvent } from "../realtime/event-map.ts";
import type { RunEventHub } from "../realtime/event-hub.ts";

/**
 * One run's events as Server-Sent Events (GET /api/v1/runs/{ref}/events). Each event's `id` is
 * the run's sequence number, the same one the dashboard's socket carries. The database does not
 * keep every event, so a client that resumes (`Last-Event-ID: n`) gets the run's current state
 * as one `run.changed` snapshot when anything happened after n — the honest catch-up — and then
 * the live events. The stream ends with `run.finished` once the run has ended.
 */

/** A comment line every 15 s keeps proxies and load balancers from closing an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;

export type RunEventStreamDeps = {
  hub: RunEventHub;
  /** the run as the API shows it, read now (the snapshot and every `run.changed`) */
  loadRun: () => Promise<ApiRun>;
  heartbeatMs?: number;
};

const encoder = new TextEncoder();

/** One SSE frame; data is one line of JSON (JSON never contains a raw newline). */
export function sseFrame(event: ApiRunEventType, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const isTerminal = (status: string) => (TERMINAL_STATUSES as readonly string[]).includes(status);

/** The event a live domain event becomes on the stream, or null for those it does not carry (per-second metrics). */
function liveFrame(e: DomainEvent): { event: ApiRunEventType; id?: number; data: unknown } | null {
  switch (e.kind) {
    case "runChanged":
      return null; // sent as the whole run, read fresh (below)
    case "agentLog": {
      const { runId: _runId, seq, ...data } = e.event;
      return { event: "run.log", id: seq, data };
    }
    case "agentProgress": {
      const { runId: _runId, seq, ...data } = e.event;
      return { event: "run.progress", id: seq, data };
    }
    case "notification": {
      const { runId: _runId, ...data } = e.event;
      return { event: "run.notification", data };
    }
    case "analysis": {
      const { runId: _runId, ...data } = e.event;
      return { event: "run.analysis", data };
    }
    case "metrics":
      // One point per side per second is for the dashboard's charts; the analysis event says what they mean.
      return null;
    default: {
      const never: never = e;
      throw new Error(`unknown domain event ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The stream for one run. `after` is the last sequence number the client has (Last-Event-ID or
 * `?after=`), null on a first connection (which always starts with the current state).
 */
export function runEventStream(runId: string, after: number | null, deps: RunEventStreamDeps, signal: AbortSignal): ReadableStream<Uint8Array> {
  let unsubscribe = () => {};
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Highest sequence number sent: events at or below it are already in what the client has.
      let sent = after ?? -1;
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        if (heartbeat) clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      /** Sends the run as it is now: `run.finished` (and the end) once it has ended, else `run.changed` when it moved past `sent`. */
      const sendRun = async (force: boolean) => {
        const run = await deps.loadRun();
        if (closed) return;
        if (isTerminal(run.status)) {
          write(sseFrame("run.finished", run, Math.max(run.seq, sent)));
          close();
          return;
        }
        if (force || run.seq > sent) {
          write(sseFrame("run.changed", run, run.seq));
          sent = Math.max(sent, run.seq);
        }
      };
      // Events are handled one at a time, in the order published, each after the previous one's read.
      let queue = Promise.resolve();
      const enqueue = (work: () => Promise<void>) => {
        queue = queue.then(work).catch((err: unknown) => {
          console.error("[flightdeck] run event stream failed", err);
          close();
        });
      };
      // Subscribe first, then read the snapshot: an event published in between is either in the
      // snapshot (its seq is not above it, skipped) or comes after it, never lost.
      unsubscribe = deps.hub.subscribe(runId, (e) => {
        const frame = liveFrame(e);
        if (e.kind === "runChanged") {
          if (e.event.seq <= sent && !isTerminal(e.event.status)) return;
          enqueue(() => sendRun(false));
          return;
        }
        if (!frame) return;
        enqueue(async () => {
          if (frame.id !== undefined) {
            if (frame.id <= sent) return;
            sent = frame.id;
          }
          write(sseFrame(frame.event, frame.data, frame.id));
        });
      });
      signal.addEventListener("abort", close, { once: true });
      heartbeat = setInterval(() => write(": keep-alive\n\n"), deps.heartbeatMs ?? SSE_HEARTBEAT_MS);
      heartbeat.unref?.();
      // Tell EventSource clients how long to wait before reconnecting, then the state.
      write("retry: 3000\n\n");
      enqueue(() => sendRun(after === null));
    },
    cancel() {
      closed = true;
      unsubscribe();
      if (heartbeat) clearInterval(heartbeat);
    },
  });
}

/** The client's resume point: Last-Event-ID (what EventSource sends) or `?after=`; null when neither is a sequence number. */
export function resumePoint(req: Request): number | null {
  const header = req.headers.get("last-event-id");
  const query = new URL(req.url).searchParams.get("after");
  for (const v of [header, query]) {
    if (v !== null && /^\d{1,10}$/.test(v.trim())) return Number(v.trim());
  }
  return null;
}
