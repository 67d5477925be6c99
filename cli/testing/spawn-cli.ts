import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/flightdeck.mjs", import.meta.url));

/**
 * The real launcher in its own process: arguments, stdin, and the exit code as a shell sees
 * them. The CLI's own variables start empty, so the test's environment says everything.
 */
export function spawnCli(argv: string[], opts: { env: Record<string, string>; stdin?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, CI: "", FLIGHTDECK_URL: "", FLIGHTDECK_TOKEN: "", ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}
