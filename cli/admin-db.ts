import { fileURLToPath } from "node:url";
import pg from "pg";
import { CliError } from "./api-client.ts";
import type { Db } from "../server/db/client.ts";

/** The repository's root, where `npm start` runs: the data folder and Prisma's migrations are found from it. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Whether a connection fails because nothing listens (the embedded PostgreSQL is not running). */
async function nothingListens(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === "ECONNREFUSED") return true;
    throw new CliError(`Could not connect to Flightdeck's database: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `work` against the database the server uses, found the way the server finds it
 * (server/env.ts, server/boot.ts): DATABASE_URL when set; else the embedded PostgreSQL in the data
 * folder that `npm start` runs, as the server's own role. When that PostgreSQL is not running,
 * it is started for this command (migrated, like a server start) and stopped afterwards, so
 * bootstrapping works with or without the server up.
 */
export async function withServerDatabase<T>(say: (line: string) => void, work: (db: Db) => Promise<T>): Promise<T> {
  // The data folder is relative to where `npm start` runs: the repository's root, wherever we are called from.
  if (process.cwd() !== ROOT && process.cwd() !== ROOT.replace(/\/$/, "")) process.chdir(ROOT);
  const { env } = await import("../server/env.ts");
  const { resolveDatabase, runningEmbeddedAppUrl, dataPath } = await import("../server/boot.ts");
  const { migrateDatabase } = await import("../server/db/migrate.ts");
  const { connectDb, disconnectDb } = await import("../server/db/client.ts");
  let cfg;
  try {
    cfg = env();
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const running = runningEmbeddedAppUrl(cfg);
  let stop: (() => Promise<void>) | null = null;
  let url: string;
  if (running && (cfg.DATABASE_URL || !(await nothingListens(running)))) {
    url = running;
  } else {
    say(`Flightdeck's embedded PostgreSQL (${dataPath(cfg, "pg")}) is not running; starting it for this command.`);
    const database = await resolveDatabase(cfg).catch((e: unknown) => {
      throw new CliError(`Could not start the embedded PostgreSQL: ${e instanceof Error ? e.message : String(e)}. Is \`npm start\` starting right now? Try again once it is up.`);
    });
    stop = async () => {
      await database.embedded?.stop();
      say("Stopped the embedded PostgreSQL again.");
    };
    try {
      await migrateDatabase(database.ownerUrl, ROOT);
      url = await database.appUrl();
    } catch (e) {
      await stop().catch(() => {});
      throw e;
    }
  }
  const db = connectDb(url);
  try {
    return await work(db);
  } finally {
    await disconnectDb().catch(() => {});
    await stop?.().catch(() => {});
  }
}
