import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../db/embedded.ts";
import { migrateDatabase } from "../db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Service tests run against a real PostgreSQL: an embedded one on a free port in a temporary
 * folder, migrated with the project's own migrations, thrown away afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The folder must be readable by the unprivileged postgres user the package creates as root.
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-test-pg-"));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: await freePort(), database: "flightdeck_test" });
  await migrateDatabase(pg.url);
  project.provide("databaseUrl", pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
