/**
 * `npm run router` for the tests: server/router/main.ts as a real child process against the test
 * database (DATABASE_URL, the only variable it adds), serving only the places named.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type RouterChild = { child: ChildProcess; output: () => string };

/** Starts the router process; resolves once it prints `router ready` (every router listening). */
export async function startRouterProcess(databaseUrl: string, only: string[]): Promise<RouterChild> {
  // node --import tsx, not the tsx CLI: the CLI forks a second process that a signal would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/router/main.ts"), "--only", only.join(",")], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`router process not ready within 60 s:\n${out}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`router process exited with ${code}:\n${out}`)));
    child.stdout?.on("data", () => {
      if (!/router ready/.test(out)) return;
      clearTimeout(timer);
      resolve();
    });
  }).catch((e: unknown) => {
    child.kill("SIGKILL");
    throw e;
  });
  return { child, output: () => out };
}
