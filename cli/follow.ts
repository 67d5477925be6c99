import { ZApiRun, type ApiRun } from "../server/contracts/api-v1.ts";
import { ApiProblemError, CliError, problemOf, type ApiClient } from "./api-client.ts";
import { SseParser } from "./sse.ts";

/**
 * Following one run to its end: over its event stream (GET /api/v1/runs/{ref}/events), resumed
 * with Last-Event-ID after a drop, and by polling GET /api/v1/runs/{ref} when the stream cannot
 * be had (a proxy that buffers or refuses event streams, repeated failures).
 */

/** One event as the follower hands it on: the stream's name, its sequence id when it has one, its JSON. */
export type RunEvent = { event: string; id: number | null; data: unknown };

export type FollowOptions = {
  client: ApiClient;
  /** the run's id or number */
  ref: string;
  onEvent: (e: RunEvent) => void;
  /** reconnections and fallbacks, said once each, for the person or log watching */
  onNotice: (message: string) => void;
  /** when to stop waiting (epoch ms); null: until the run ends */
  deadline: number | null;
  /** first pause before reconnecting; doubles per failure in a row (default 1 s, at most 30 s) */
  reconnectDelayMs?: number;
  /** streams in a row that fail before any event before we poll instead (default 3) */
  maxStreamFailures?: number;
  /** silence after which a stream counts as dropped; the server sends a keep-alive every 15 s (default 45 s) */
  idleTimeoutMs?: number;
  /** polling interval of the fallback (default 2 s) */
  pollIntervalMs?: number;
  /** failed polls in a row before giving up (default 10, with the same doubling pause) */
  maxPollFailures?: number;
};

export type FollowResult = { kind: "finished"; run: ApiRun } | { kind: "timedOut"; run: ApiRun | null };

const TERMINAL = new Set(["succeeded", "rolled_back", "failed", "aborted"]);

/** 4xx other than 408/429: asking again will not help (bad token, no such run, no scope). */
const isPermanent = (e: unknown) => e instanceof ApiProblemError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;

class TimedOut extends Error {}

/** The run finished but its data is not a run this CLI can read (a newer server?): asking again would loop. */
class UnreadableRun extends CliError {}

export async function followRun(opts: FollowOptions): Promise<FollowResult> {
  const reconnectDelayMs = opts.reconnectDelayMs ?? 1_000;
  const maxStreamFailures = opts.maxStreamFailures ?? 3;
  let lastId: number | null = null;
  let lastRun: ApiRun | null = null;
  let failures = 0;

  const remaining = () => (opts.deadline === null ? Infinity : opts.deadline - Date.now());
  const pause = async (ms: number) => {
    const wait = Math.min(ms, remaining());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (remaining() <= 0) throw new TimedOut();
  };
  const backoff = (n: number) => Math.min(reconnectDelayMs * 2 ** Math.max(0, n - 1), 30_000);

  /** One connection to the stream: the run when it finished on it, else null (dropped or refused). */
  const streamOnce = async (): Promise<ApiRun | null> => {
    const abort = new AbortController();
    let idle: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const deadlineTimer = opts.deadline === null ? undefined : setTimeout(() => ((timedOut = true), abort.abort()), Math.max(0, remaining()));
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), opts.idleTimeoutMs ?? 45_000);
    };
    let gotEvent = false;
    try {
      watch();
      const path = `/api/v1/runs/${encodeURIComponent(opts.ref)}/events`;
      const response = await opts.client.fetch("GET", path, { headers: { accept: "text/event-stream", ...(lastId !== null ? { "last-event-id": String(lastId) } : {}) }, signal: abort.signal });
      if (!response.ok) {
        const problem = await problemOf(response, `GET ${path}`);
        if (isPermanent(problem)) throw problem;
        opts.onNotice(`The event stream answered HTTP ${response.status}; trying again.`);
        failures++;
        return null;
      }
      if (!/^text\/event-stream/.test(response.headers.get("content-type") ?? "") || !response.body) {
        await response.body?.cancel();
        opts.onNotice(`The event stream came back as ${response.headers.get("content-type") ?? "no content type"}, not text/event-stream (a proxy in between?).`);
        failures = maxStreamFailures; // will not get better by asking again
        return null;
      }
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        watch();
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          if (message.data === "") continue;
          const id = message.id !== null && /^\d+$/.test(message.id) ? Number(message.id) : null;
          if (id !== null) lastId = id;
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            continue; // not ours to understand; the next run.changed says where the run is
          }
          gotEvent = true;
          if (message.event === "run.changed" || message.event === "run.finished") {
            const run = ZApiRun.safeParse(data);
            if (run.success) lastRun = run.data;
            else if (message.event === "run.finished") {
              throw new UnreadableRun(`The run finished, but the server described it in a shape this CLI does not read (${run.error.issues[0]?.path.join(".") ?? ""}: ${run.error.issues[0]?.message ?? ""}); is the CLI older than the server? See \`flightdeck run get ${opts.ref}\`.`);
            }
          }
          opts.onEvent({ event: message.event, id, data });
          if (message.event === "run.finished" && lastRun && TERMINAL.has(lastRun.status)) {
            await reader.cancel().catch(() => {});
            return lastRun;
          }
        }
      }
      opts.onNotice(lastId !== null ? `The event stream closed before the run ended; resuming after event ${lastId}.` : "The event stream closed before the run ended; reconnecting.");
    } catch (e) {
      if (timedOut) throw new TimedOut();
      if (isPermanent(e) || e instanceof UnreadableRun) throw e;
      const why = abort.signal.aborted ? "no data, not even a keep-alive, for too long" : e instanceof Error ? e.message : String(e);
      opts.onNotice(`The event stream dropped (${why}); ${lastId !== null ? `resuming after event ${lastId}` : "reconnecting"}.`);
    } finally {
      clearTimeout(idle);
      clearTimeout(deadlineTimer);
      abort.abort();
    }
    failures = gotEvent ? 1 : failures + 1;
    return null;
  };

  const poll = async (): Promise<ApiRun> => {
    const interval = opts.pollIntervalMs ?? 2_000;
    const maxPollFailures = opts.maxPollFailures ?? 10;
    opts.onNotice(`Following the run by asking for it every ${interval / 1000} s instead.`);
    let errors = 0;
    for (;;) {
      try {
        const { value: run } = await opts.client.json("GET", `/api/v1/runs/${encodeURIComponent(opts.ref)}`, ZApiRun);
        errors = 0;
        if (!lastRun || run.seq !== lastRun.seq || run.status !== lastRun.status) {
          lastRun = run;
          if (TERMINAL.has(run.status)) {
            opts.onEvent({ event: "run.finished", id: run.seq, data: run });
            return run;
          }
          opts.onEvent({ event: "run.changed", id: run.seq, data: run });
        } else if (TERMINAL.has(run.status)) {
          opts.onEvent({ event: "run.finished", id: run.seq, data: run });
          return run;
        }
        await pause(interval);
      } catch (e) {
        if (e instanceof TimedOut || isPermanent(e)) throw e;
        errors++;
        if (errors >= maxPollFailures) throw e instanceof CliError ? new CliError(`Lost Flightdeck while following the run: ${e.message}`) : e;
        opts.onNotice(`${e instanceof Error ? e.message : String(e)}; asking again.`);
        await pause(backoff(errors));
      }
    }
  };

  try {
    for (;;) {
      if (remaining() <= 0) throw new TimedOut();
      const run = await streamOnce();
      if (run) return { kind: "finished", run };
      if (failures >= maxStreamFailures) return { kind: "finished", run: await poll() };
      await pause(backoff(failures));
    }
  } catch (e) {
    if (e instanceof TimedOut) return { kind: "timedOut", run: lastRun };
    throw e;
  }
}
