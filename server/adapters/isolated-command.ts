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

/** How a command run by `runIsolated` ended. */
export type IsolatedEnding =
  | { kind: "exited"; code: number }
  | { kind: "killed"; signal: string }
  | { kind: "timedOut"; timeoutMs: number }
  | { kind: "notStarted"; error: string };

/** How a command run by `runIsolated` ended, with the ends of its output (bounded). */
export type IsolatedOutcome = IsolatedEnding & {
  /** the last `tailChars` of stdout and stderr together, in arrival order */
  output: string;
  /** the last `tailChars` of stderr alone: where a failing CLI says why */
  stderr: string;
};

/**
 * Runs a team's command to its end: no shell, only `env`, its own process group, killed with
 * everything it started at `timeoutMs`. Output is kept as a bounded tail, so a chatty command
 * cannot fill the server's memory. Never rejects: every ending is an outcome.
 */
export function runIsolated(
  command: string,
  args: readonly string[],
  opts: { env: Record<string, string>; cwd?: string; timeoutMs: number; tailChars: number },
): Promise<IsolatedOutcome> {
  return new Promise((resolve) => {
    let output = "";
    let stderr = "";
    let settled = false;
    const settle = (end: IsolatedEnding) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...end, output, stderr });
    };
    const child = spawnIsolated(command, args, { env: opts.env, cwd: opts.cwd });
    child.stdout.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-opts.tailChars);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-opts.tailChars);
      stderr = (stderr + text).slice(-opts.tailChars);
    });
    const timer = setTimeout(() => {
      killGroup(child.pid);
      settle({ kind: "timedOut", timeoutMs: opts.timeoutMs });
    }, opts.timeoutMs);
    child.on("error", (e) => {
      killGroup(child.pid);
      settle({ kind: "notStarted", error: e.message });
    });
    child.on("close", (code, signal) => settle(code !== null ? { kind: "exited", code } : { kind: "killed", signal: signal ?? "a signal" }));
  });
}
