import { readFile } from "node:fs/promises";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, isRecord, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import type { TDatabasePool } from "./config.ts";

/** One replica's pool as the service ships it. */
export type PoolSettings = { poolMax: number; poolMin?: number; connectionTimeoutMs?: number; idleTimeoutMs?: number };
/** The environment the pools share: replicas and the database's connection limit. */
export type PoolLimits = { replicas: number; maxConnections: number; reservedConnections: number };

/**
 * Where each pool value may sit in a settings file: dotted paths in JSON (node-postgres' option
 * names under `pool`, `database.pool` or `db.pool`) and variable names in dotenv files (also
 * accepted as top-level JSON keys). The first one present wins.
 */
const SETTING_KEYS: Record<keyof PoolSettings, readonly string[]> = {
  poolMax: ["pool.max", "database.pool.max", "db.pool.max", "DATABASE_POOL_MAX", "DB_POOL_MAX", "PG_POOL_MAX"],
  poolMin: ["pool.min", "database.pool.min", "db.pool.min", "DATABASE_POOL_MIN", "DB_POOL_MIN", "PG_POOL_MIN"],
  connectionTimeoutMs: [
    "pool.connectionTimeoutMillis",
    "database.pool.connectionTimeoutMillis",
    "db.pool.connectionTimeoutMillis",
    "DATABASE_POOL_CONNECTION_TIMEOUT_MS",
    "DB_POOL_CONNECTION_TIMEOUT_MS",
    "DB_CONNECTION_TIMEOUT_MS",
  ],
  idleTimeoutMs: ["pool.idleTimeoutMillis", "database.pool.idleTimeoutMillis", "db.pool.idleTimeoutMillis", "DATABASE_POOL_IDLE_TIMEOUT_MS", "DB_POOL_IDLE_TIMEOUT_MS", "DB_IDLE_TIMEOUT_MS"],
};

/** Holds the pool (from the configuration or the service's settings file) against the database's limit. */
export async function checkDatabasePool(config: TDatabasePool, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const { replicas, maxConnections, reservedConnections } = config;
  const { settingsPath, poolMax, poolMin, connectionTimeoutMs, idleTimeoutMs } = config;
  let settings: PoolSettings;
  if (settingsPath !== undefined) {
    settings = await readPoolSettings(settingsPath);
    await ctx.log(`pool settings from ${settingsPath}: max ${settings.poolMax}, min ${settings.poolMin ?? "–"}, connection timeout ${settings.connectionTimeoutMs ?? "–"} ms, idle timeout ${settings.idleTimeoutMs ?? "–"} ms`);
  } else if (poolMax !== undefined) {
    settings = { poolMax, poolMin, connectionTimeoutMs, idleTimeoutMs };
  } else {
    throw new CannotRunError("no pool max: give databasePool.poolMax or databasePool.settingsPath");
  }
  const source = settingsPath ?? "configuration";
  return { findings: assessPool(settings, { replicas, maxConnections, reservedConnections }, source), checked: `database pool (${replicas} replica(s) × pool max ${settings.poolMax})` };
}

/**
 * The pool rules. Every replica's pool may fill up (idle connections are kept up to max), and a
 * canary or blue-green rollout runs one replica more than the steady state, so (replicas + 1) ×
 * max must fit in what the database leaves to applications: max_connections minus its reserved slots.
 */
export function assessPool(settings: PoolSettings, limits: PoolLimits, source: string): CheckFinding[] {
  const { poolMax, poolMin, connectionTimeoutMs, idleTimeoutMs } = settings;
  const { replicas, maxConnections, reservedConnections } = limits;
  const available = maxConnections - reservedConnections;
  const budget = `${available} available (max_connections ${maxConnections} − ${reservedConnections} reserved)`;
  const steady = replicas * poolMax;
  const surge = (replicas + 1) * poolMax;
  const findings: CheckFinding[] = [{ severity: "info", message: `database pool: up to ${surge} connection(s) during a rollout, of ${available} available`, evidence: `${source}: (${replicas} + 1 surge) replica(s) × pool max ${poolMax}; ${budget}` }];

  if (steady > available) {
    findings.push({ severity: "high", message: "the pools exceed the database's connection limit", evidence: `${replicas} replica(s) × pool max ${poolMax} = ${steady} connections > ${budget}` });
  } else if (surge > available) {
    findings.push({ severity: "high", message: "no room for the extra replica during a rollout: its connections would be refused", evidence: `(${replicas} + 1 surge) replicas × pool max ${poolMax} = ${surge} connections > ${budget}` });
  }
  if (poolMin !== undefined && poolMin > poolMax) {
    findings.push({ severity: "high", message: "pool min is above pool max", evidence: `${source}: pool min ${poolMin} > pool max ${poolMax} (most pool libraries refuse to start or ignore one of them)` });
  }
  if (connectionTimeoutMs === undefined || connectionTimeoutMs === 0) {
    findings.push({ severity: "medium", message: "no connection timeout: when the pool is exhausted, requests wait for a connection forever", evidence: `${source}: connection timeout ${connectionTimeoutMs === 0 ? "0 (none)" : "not set"}` });
  }
  if (poolMax === 1) {
    findings.push({ severity: "medium", message: "a pool of one connection: each replica runs one query at a time, so one slow query stalls every request", evidence: `${source}: pool max 1 on each of ${replicas} replica(s)` });
  }
  if (idleTimeoutMs === undefined || idleTimeoutMs === 0) {
    findings.push({ severity: "low", message: "idle connections are never closed: after a traffic spike every replica keeps its pool full", evidence: `${source}: idle timeout ${idleTimeoutMs === 0 ? "0 (none)" : "not set"}` });
  }
  return findings;
}

/** The pool values in a JSON or dotenv settings file; the pool max must be there. */
async function readPoolSettings(settingsPath: string): Promise<PoolSettings> {
  const text = await readFile(settingsPath, "utf8").catch((e: unknown) => {
    throw new CannotRunError(`settings file not readable: ${settingsPath} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  });
  const lookup = text.trimStart().startsWith("{") ? jsonLookup(text, settingsPath) : dotenvLookup(text);
  const value = (field: keyof PoolSettings): number | undefined => {
    for (const key of SETTING_KEYS[field]) {
      const raw = lookup(key);
      if (raw === undefined) continue;
      const n = typeof raw === "number" ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw new CannotRunError(`${settingsPath}: ${key} = ${JSON.stringify(raw)} is not a whole number`);
      return n;
    }
    return undefined;
  };
  const poolMax = value("poolMax");
  if (poolMax === undefined) throw new CannotRunError(`${settingsPath}: no pool max (looked for ${SETTING_KEYS.poolMax.join(", ")})`);
  if (poolMax === 0) throw new CannotRunError(`${settingsPath}: pool max is 0`);
  return { poolMax, poolMin: value("poolMin"), connectionTimeoutMs: value("connectionTimeoutMs"), idleTimeoutMs: value("idleTimeoutMs") };
}

type Lookup = (key: string) => string | number | undefined;

function jsonLookup(text: string, settingsPath: string): Lookup {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw new CannotRunError(`${settingsPath} is not valid JSON: ${(e as Error).message}`);
  }
  return (key) => {
    let node: unknown = doc;
    for (const part of key.split(".")) node = isRecord(node) ? node[part] : undefined;
    return typeof node === "number" || typeof node === "string" ? node : undefined;
  };
}

/** KEY=value lines; `export`, comments, blank lines and quotes as dotenv allows them. */
function dotenvLookup(text: string): Lookup {
  const vars = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    const [, key = "", raw = ""] = m;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    vars.set(key, quoted !== null ? (quoted[2] ?? "") : raw.replace(/\s+#.*$/, ""));
  }
  return (key) => vars.get(key);
}
