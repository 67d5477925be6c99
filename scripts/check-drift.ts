// Migration drift check: the schema and the migrations must describe the same database.
// Starts a throwaway embedded PostgreSQL (for Prisma's shadow database) and runs
// `prisma migrate diff --exit-code` (0 = in sync, 2 = drift).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../server/db/embedded.ts";
import { freePort } from "../server/testing/global-setup.ts";

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-drift-"));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: await freePort(), database: "drift" });
  try {
    const res = spawnSync(
      path.resolve("node_modules/.bin/prisma"),
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--exit-code", "--script"],
      { env: { ...process.env, DATABASE_URL: pg.url }, encoding: "utf8" },
    );
    if (res.status === 0) {
      console.log("migration drift check: schema.prisma and prisma/migrations agree");
      return 0;
    }
    console.error(res.status === 2 ? "migration drift: schema.prisma differs from prisma/migrations. Missing SQL:" : "migration drift check failed to run:");
    console.error(res.stdout, res.stderr);
    return 1;
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
