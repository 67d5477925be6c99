import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DomainEvent, Publish } from "./event-map.ts";

/**
 * Domain events across instances: with several Flightdeck processes on one database, a browser on
 * instance B must see what instance A's engine or analysis published. Every event is delivered
 * here at once (this process's socket rooms and SSE hub), and NOTIFYed on `EVENT_CHANNEL` from one
 * dedicated connection; every other instance LISTENs on its own dedicated connection and delivers
 * what it hears to its rooms and hub. Each instance gets each event once (an instance ignores its
 * own notifications) and, per publisher, in the order published: one connection sends them one
 * after another, and PostgreSQL delivers one session's notifications in order.
 *
 * A NOTIFY payload is at most 8000 bytes: a larger event (a long agent log line, an analysis with
 * many triggers) goes as numbered base64 parts that receivers put back together; the parts of one
 * event are contiguous in the sender's stream, so order is kept.
 *
 * What the bus cannot carry (the database away for a moment, a receiver restarting) the browser
 * recovers: run events carry the run's sequence number and a client that sees a gap refetches the
 * run from the database (components/realtime/use-run-events.ts).
 */
export const EVENT_CHANNEL = "flightdeck_events";
/** Bytes per NOTIFY payload we send at most (PostgreSQL's limit is 8000, the envelope needs room). */
const MAX_PAYLOAD = 7_800;
const PART_BYTES = 7_000;
const RECONNECT_MS = 1_000;

type Whole = { o: string; e: DomainEvent };
type Part = { o: string; p: string; i: number; n: number; d: string };

type Options = {
  /** the app's database URL (LISTEN/NOTIFY need no privileges beyond connecting) */
  databaseUrl: string;
  /** where events go in this process: its socket rooms and SSE hub */
  deliver: Publish;
  onError: (where: string, e: unknown) => void;
  /** this process's id on the bus; default a random one */
  instanceId?: string;
};

function isDomainEvent(v: unknown): v is DomainEvent {
  if (typeof v !== "object" || v === null) return false;
  const e = v as { kind?: unknown; event?: unknown };
  return typeof e.kind === "string" && typeof e.event === "object" && e.event !== null && typeof (e.event as { runId?: unknown }).runId === "string";
}

export class ClusterBus {
  readonly instanceId: string;
  private listener: pg.Client | null = null;
  private sender: pg.Client | null = null;
  /** notifications waiting for the sender connection, in publish order */
  private queue: string[] = [];
  private sending = false;
  private stopped = false;
  private readonly parts = new Map<string, string[]>();
  private reconnect: NodeJS.Timeout | null = null;

  constructor(private readonly opts: Options) {
    this.instanceId = opts.instanceId ?? randomUUID();
  }

  /** Connects the listening and sending connections; resolves once this instance hears the others. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connectListener();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    // What was published before the stop still reaches the others.
    for (let i = 0; i < 100 && (this.sending || this.queue.length > 0) && this.sender; i++) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([this.listener?.end().catch(() => {}), this.sender?.end().catch(() => {})]);
    this.listener = null;
    this.sender = null;
  }

  /** Publishes an event here and to every other instance. */
  readonly publish: Publish = (e) => {
    this.opts.deliver(e);
    if (this.stopped) return;
    const text = JSON.stringify({ o: this.instanceId, e } satisfies Whole);
    if (Buffer.byteLength(text) <= MAX_PAYLOAD) this.queue.push(text);
    else {
      const data = Buffer.from(JSON.stringify(e)).toString("base64");
      const id = randomUUID();
      const n = Math.ceil(data.length / PART_BYTES);
      for (let i = 0; i < n; i++) this.queue.push(JSON.stringify({ o: this.instanceId, p: id, i, n, d: data.slice(i * PART_BYTES, (i + 1) * PART_BYTES) } satisfies Part));
    }
    void this.drain();
  };

  private async connectListener(): Promise<void> {
    // Named, so an operator (or a test) can tell the bus's connections apart in pg_stat_activity.
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: "flightdeck-bus-listen" });
    client.on("notification", (msg) => {
      if (msg.channel === EVENT_CHANNEL && msg.payload) this.receive(msg.payload);
    });
    client.on("error", (e) => {
      // Ending our own connections on stop is no error to report.
      if (this.stopped) return;
      this.opts.onError("realtime.bus", e);
      this.scheduleReconnect(client);
    });
    client.on("end", () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    this.listener = client;
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.stopped || this.listener !== client) return;
    this.listener = null;
    this.parts.clear();
    client.end().catch(() => {});
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      if (this.stopped) return;
      this.connectListener().catch((e: unknown) => {
        this.opts.onError("realtime.bus", e);
        this.listener = null;
        this.scheduleReconnectLater();
      });
    }, RECONNECT_MS);
  }

  private scheduleReconnectLater(): void {
    if (this.stopped || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      if (this.stopped) return;
      this.connectListener().catch((e: unknown) => {
        this.opts.onError("realtime.bus", e);
        this.scheduleReconnectLater();
      });
    }, RECONNECT_MS);
  }

  private receive(payload: string): void {
    let msg: Partial<Whole & Part>;
    try {
      msg = JSON.parse(payload) as Partial<Whole & Part>;
    } catch {
      return;
    }
    if (msg.o === this.instanceId || typeof msg.o !== "string") return;
    if (msg.e !== undefined) {
      if (isDomainEvent(msg.e)) this.opts.deliver(msg.e);
      return;
    }
    if (typeof msg.p !== "string" || typeof msg.i !== "number" || typeof msg.n !== "number" || typeof msg.d !== "string") return;
    const key = `${msg.o}/${msg.p}`;
    const got = this.parts.get(key) ?? [];
    if (got.length !== msg.i) {
      // A part went missing (the listener reconnected mid-event): drop it; the seq gap makes the page refetch.
      this.parts.delete(key);
      return;
    }
    got.push(msg.d);
    if (got.length < msg.n) {
      this.parts.set(key, got);
      return;
    }
    this.parts.delete(key);
    try {
      const e: unknown = JSON.parse(Buffer.from(got.join(""), "base64").toString("utf8"));
      if (isDomainEvent(e)) this.opts.deliver(e);
    } catch {
      // a garbled event is dropped like a lost one
    }
  }

  /** Sends queued notifications one after another on the sending connection (order matters). */
  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const text = this.queue[0];
        if (text === undefined) break;
        let sender: pg.Client | null = null;
        try {
          sender = await this.senderClient();
          await sender.query("SELECT pg_notify($1, $2)", [EVENT_CHANNEL, text]);
          this.queue.shift();
        } catch (e) {
          this.opts.onError("realtime.bus", e);
          this.sender = null;
          sender?.end().catch(() => {});
          // The other instances' pages refetch on the gap; never hold memory for a database that is away.
          if (this.queue.length > 10_000) this.queue = [];
          await new Promise((r) => setTimeout(r, RECONNECT_MS));
          if (this.stopped) this.queue = [];
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private async senderClient(): Promise<pg.Client> {
    if (this.sender) return this.sender;
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: "flightdeck-bus-send" });
    client.on("error", () => {
      if (this.sender === client) this.sender = null;
    });
    await client.connect();
    this.sender = client;
    return client;
  }
}
