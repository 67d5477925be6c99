import { spawn } from "node:child_process";
import path from "node:path";

/** Applies pending migrations with the Prisma CLI (`migrate deploy`), through prisma.config.ts. */
export async function migrateDatabase(databaseUrl: string, cwd = process.cwd()): Promise<void> {
  const bin = path.join(cwd, "node_modules", ".bin", "prisma");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bin, ["migrate", "deploy"], {
      cwd,
      // The CLI needs PATH and friends; we only add the database it must migrate.
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (${code}):\n${output.slice(-4000)}`))));
  });
}
