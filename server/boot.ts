import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TEnv } from "./env.ts";
import { startEmbeddedPostgres, type EmbeddedDb } from "./db/embedded.ts";

/** Where the data folder's generated files live. */
export function dataPath(env: TEnv, ...parts: string[]): string {
  return path.resolve(env.FLIGHTDECK_DATA_DIR, ...parts);
}

/** DATABASE_URL when set; otherwise an embedded PostgreSQL in the data folder. */
export async function resolveDatabase(env: TEnv): Promise<{ url: string; embedded: EmbeddedDb | null }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: null };
  mkdirSync(dataPath(env), { recursive: true });
  const embedded = await startEmbeddedPostgres({ dir: dataPath(env, "pg"), port: env.EMBEDDED_PG_PORT, database: "flightdeck" });
  return { url: embedded.url, embedded };
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
