import { performance } from "node:perf_hooks";
import { SIDE_HEADER } from "../server/adapters/routers/builtin/stickiness.ts";
import { Pool } from "undici";

/** How to drive steady traffic at a service or router. */
export type TrafficGeneratorOptions = {
  /** Origin to send requests to, e.g. the router's `http://127.0.0.1:4000`. */
  target: string;
  /** Requests per second; never exceeded. Default 20. */
  rps?: number;
  /** Simulated users active at any time. Default 200. */
  clients?: number;
  /** Path requested. Default `/api/checkout`. */
  path?: string;
  /**
   * Requests in flight at most; a request due while this many are pending (or while every user
   * waits for an answer) is skipped. Default 64.
   */
  maxInFlight?: number;
  /**
   * Mean requests per user session. When a session ends its user is replaced by a new one
   * with an empty cookie jar, as real users come and go; this is how a sticky router's new
   * weight reaches the population: with the defaults (200 users, 20 req/s) a step from 5 % to
   * 50 % reaches most users within a few minutes (time constant users × mean / rps = 100 s).
   * `Infinity` keeps every user forever. Default 10.
   */
  sessionRequests?: number;
  /** A request not answered after this long counts as failed. Default 10 s. */
  timeoutMs?: number;
  /** Uniform [0, 1) draw picking users and session lengths; default `Math.random`. */
  random?: () => number;
  /** Monotonic milliseconds; default `performance.now`. */
  clock?: () => number;
  /** Called for every answered request. */
  onResponse?: (r: GeneratedResponse) => void;
};

/** One answered request, as the simulated user saw it. */
export type GeneratedResponse = { clientId: string; status: number; side: string | null; latencyMs: number };

/** What the generator has done since it started. */
export type TrafficStats = {
  /** requests sent */
  sent: number;
  /** requests answered (any status) */
  completed: number;
  /** requests with no answer: connection error or timeout */
  failed: number;
  /** requests that were due but skipped because `maxInFlight` were pending */
  skipped: number;
  /** answers by HTTP status */
  byStatus: Record<string, number>;
  /** answers by the `x-flightdeck-side` response header ("none" when absent) */
  bySide: Record<string, number>;
};

/** A running generator. */
export type TrafficGenerator = {
  stats(): TrafficStats;
  /** Changes the rate from now on. */
  setRate(rps: number): void;
  /** Stops sending, waits briefly for requests in flight, closes the connections. */
  stop(): Promise<void>;
};

type Client = { index: number; session: number; jar: Map<string, string>; remaining: number; busy: boolean };

/** Starts sending requests at a steady rate from a stable population of simulated users. */
export function startTrafficGenerator(options: TrafficGeneratorOptions): TrafficGenerator {
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => performance.now());
  const path = options.path ?? "/api/checkout";
  const maxInFlight = options.maxInFlight ?? 64;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const meanSession = options.sessionRequests ?? 10;
  const pool = new Pool(options.target, { connections: maxInFlight });
  const stats: TrafficStats = { sent: 0, completed: 0, failed: 0, skipped: 0, byStatus: {}, bySide: {} };
  const inFlight = new Set<Promise<void>>();

  const sessionLength = () => {
    if (!Number.isFinite(meanSession)) return Infinity;
    // Geometric with the given mean: each request ends the session with probability 1/mean.
    const p = 1 / Math.max(1, meanSession);
    return p >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(1 - random()) / Math.log(1 - p)));
  };
  const clients: Client[] = Array.from({ length: Math.max(1, options.clients ?? 200) }, (_, index) => ({
    index,
    session: 0,
    jar: new Map(),
    remaining: sessionLength(),
    busy: false,
  }));

  // A user waits for one answer before the next request, as a person does; otherwise a new
  // user's second request could leave before the first one's cookie came back and be placed
  // on the other side.
  const idleClient = (): Client | null => {
    const start = Math.floor(random() * clients.length);
    for (let i = 0; i < clients.length; i++) {
      const c = clients[(start + i) % clients.length];
      if (c && !c.busy) return c;
    }
    return null;
  };

  let rps = validRate(options.rps ?? 20);
  let epoch = clock();
  let issued = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const send = (client: Client) => {
    const clientId = `user-${client.index}-${client.session}`;
    const headers: Record<string, string> = { "x-flightdeck-client": clientId };
    if (client.jar.size > 0) headers.cookie = [...client.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const started = clock();
    stats.sent++;
    client.busy = true;
    const done = pool
      .request({ path, method: "GET", headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      .then(async (res) => {
        await res.body.dump();
        storeCookies(client.jar, res.headers["set-cookie"]);
        const sideHeader = res.headers[SIDE_HEADER];
        const side = typeof sideHeader === "string" ? sideHeader : null;
        stats.completed++;
        stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
        stats.bySide[side ?? "none"] = (stats.bySide[side ?? "none"] ?? 0) + 1;
        options.onResponse?.({ clientId, status: res.statusCode, side, latencyMs: clock() - started });
      })
      .catch(() => {
        stats.failed++;
      })
      .finally(() => {
        inFlight.delete(done);
        client.busy = false;
        client.remaining--;
        if (client.remaining <= 0) {
          client.session++;
          client.jar.clear();
          client.remaining = sessionLength();
        }
      });
    inFlight.add(done);
  };

  const tick = () => {
    timer = null;
    if (stopped) return;
    const due = Math.floor(((clock() - epoch) * rps) / 1_000);
    let backlog = due - issued;
    // After a stall (GC, a busy event loop) the missed requests are dropped, not sent in a
    // burst: the rate is a ceiling.
    const maxBurst = Math.max(1, Math.ceil(rps * 0.05));
    if (backlog > maxBurst) {
      stats.skipped += backlog - maxBurst;
      issued += backlog - maxBurst;
      backlog = maxBurst;
    }
    for (; backlog > 0; backlog--) {
      issued++;
      const client = inFlight.size < maxInFlight ? idleClient() : null;
      if (client) send(client);
      else stats.skipped++;
    }
    schedule();
  };
  const schedule = () => {
    if (stopped || rps === 0) return;
    timer = setTimeout(tick, Math.min(50, Math.max(2, 1_000 / rps)));
  };
  schedule();

  return {
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus }, bySide: { ...stats.bySide } }),
    setRate(next) {
      rps = validRate(next);
      epoch = clock();
      issued = 0;
      if (timer) clearTimeout(timer);
      timer = null;
      schedule();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise<void>((resolve) => (grace = setTimeout(resolve, 2_000)))]);
      clearTimeout(grace);
      await pool.destroy();
    },
  };
}

function validRate(rps: number): number {
  if (!Number.isFinite(rps) || rps < 0) throw new RangeError(`rps must be a finite number ≥ 0, got ${rps}`);
  return rps;
}

/** Keeps the cookies a response sets, forgetting those it expires. */
function storeCookies(jar: Map<string, string>, setCookie: string | string[] | undefined): void {
  for (const line of typeof setCookie === "string" ? [setCookie] : (setCookie ?? [])) {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}
