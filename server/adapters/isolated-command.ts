import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

/**
 * The PATH a team's command gets (hooks, test commands, backup probes). Commands get a minimal
 * environment, not the server's: DATABASE_URL, the session secret and other server settings
 * must not leak into a team's scripts.
 */
export const MINIMAL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Starts a team's command without a shell, with only `env` as its environment, in its own process
 * group so that `killGroup` also ends what it started (`sh -c "sleep 30"` leaves no sleep behind).
 */
export function spawnIsolated(command: string, args: readonly string[], opts: { env: Record<string, string>; cwd?: string }): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(command, args, {
    cwd: opts.cwd,
    shell: false,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // Next's types declare NODE_ENV required in ProcessEnv; a team's command deliberately gets none.
    env: opts.env as unknown as NodeJS.ProcessEnv,
  });
}

/** Kills a command's whole process group; a group that is already gone is fine. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
