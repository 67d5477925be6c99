import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TEnv } from "./env.ts";
import { startEmbeddedPostgres, type EmbeddedDb } from "./db/embedded.ts";
import { appRoleUrl, ensureAppRole } from "./db/app-role.ts";

/** Where the data folder's generated files live. */
export function dataPath(env: TEnv, ...parts: string[]): string {
  return path.resolve(env.FLIGHTDECK_DATA_DIR, ...parts);
}

/**
 * Where the database is, as two connections: the owner's, which migrations use, and the one the
 * server's requests use (`appUrl()`, called after migrations).
 *
 * DATABASE_URL when set (DATABASE_MIGRATION_URL, when set, for migrations: the operator then
 * gives DATABASE_URL a role that may only read and write rows). Otherwise an embedded
 * PostgreSQL in the data folder with a generated superuser password, and the server connects
 * as the non-superuser `flightdeck_app` (server/db/app-role.ts) with its own generated password.
 */
export async function resolveDatabase(env: TEnv): Promise<{ ownerUrl: string; appUrl: () => Promise<string>; embedded: EmbeddedDb | null }> {
  if (env.DATABASE_URL) {
    const url = env.DATABASE_URL;
    return { ownerUrl: env.DATABASE_MIGRATION_URL ?? url, appUrl: async () => url, embedded: null };
  }
  mkdirSync(dataPath(env), { recursive: true });
  const ownerPassword = persistentSecret(env, "pg-owner-password", () => randomSecret(24)).value;
  const embedded = await startEmbeddedPostgres({ dir: dataPath(env, "pg"), port: env.EMBEDDED_PG_PORT, database: "flightdeck", password: ownerPassword });
  return {
    ownerUrl: embedded.url,
    appUrl: async () => {
      const appPassword = persistentSecret(env, "pg-app-password", () => randomSecret(24)).value;
      await ensureAppRole(embedded.url, appPassword);
      return appRoleUrl(embedded.url, appPassword);
    },
    embedded,
  };
}

/** A secret read from the data folder, generated on first use (mode 600). */
export function persistentSecret(env: TEnv, file: string, make: () => string): { value: string; created: boolean } {
  const p = dataPath(env, file);
  if (existsSync(p)) return { value: readFileSync(p, "utf8").trim(), created: false };
  mkdirSync(path.dirname(p), { recursive: true });
  const value = make();
  writeFileSync(p, value + "\n", { mode: 0o600 });
  return { value, created: true };
}

export const randomSecret = (bytes: number) => randomBytes(bytes).toString("base64url");

/**
 * The server's own connection to an embedded PostgreSQL that is already running (started by
 * `npm start`), for local tools such as `flightdeck admin`; null when DATABASE_URL is set (use
 * it) or the data folder has no database yet (start the server once first).
 */
export function runningEmbeddedAppUrl(env: TEnv): string | null {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const passwordFile = dataPath(env, "pg-app-password");
  if (!existsSync(passwordFile)) return null;
  const password = readFileSync(passwordFile, "utf8").trim();
  return `postgresql://flightdeck_app:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_PG_PORT}/flightdeck`;
}
