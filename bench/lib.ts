/**
 * Shared pieces of the benchmark: percentiles, free ports, child processes that report over IPC,
 * and one cleanup list that runs on success, failure and Ctrl-C alike.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds on a clock every process of this machine shares, with sub-ms resolution. */
export const epochMs = () => performance.timeOrigin + performance.now();

/** Exact quantile of samples (sorts a copy; nearest rank). */
export function quantileOf(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}

/** A free TCP port on loopback (the test harness's helper). */
export { freePort } from "../server/testing/global-setup.ts";

type CleanupFn = () => Promise<void> | void;
const cleanups: { name: string; fn: CleanupFn }[] = [];

/** Registers something to undo; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(name: string, fn: CleanupFn): () => Promise<void> {
  const entry = { name, fn };
  cleanups.push(entry);
  let done: Promise<void> | null = null;
  return () => {
    done ??= (async () => {
      const i = cleanups.indexOf(entry);
      if (i >= 0) cleanups.splice(i, 1);
      await fn();
    })();
    return done;
  };
}

/** Runs every registered cleanup, newest first, each bounded in time; never throws. */
export async function cleanupAll(log: (line: string) => void = (l) => console.error(l)): Promise<void> {
  while (cleanups.length > 0) {
    const entry = cleanups.pop();
    if (!entry) break;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(entry.fn),
        new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 20 s")), 20_000))),
      ]);
    } catch (e) {
      log(`[bench] cleanup of ${entry.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A child process running one of the bench's scripts, talking over IPC. */
export type BenchChild = {
  child: ChildProcess;
  /** resolves with the first IPC message for which `match` returns a value */
  next<T>(match: (m: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T>;
  send(m: unknown): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Starts `bench/<script>` under node --import tsx with an IPC channel (the child exits when the
 * channel closes, so a killed bench leaves nothing behind), and registers its stop for cleanup.
 */
export function startChild(script: string, args: string[] = [], nodeFlags: string[] = []): BenchChild {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", file, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = onCleanup(`child ${script}`, async () => {
    if (hasExited()) return;
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(force);
  });
  return {
    child,
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    stop: () => stop(),
    next<T>(match: (m: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${script}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (m: unknown) => {
          const v = match(m);
          if (v !== undefined) finish(null, v);
        };
        const onExit = (code: number | null, signal: string | null) => finish(new Error(`${script} exited (${signal ?? `code ${code}`}) before ${what}`));
        function finish(err: Error | null, value?: T) {
          clearTimeout(timer);
          child.off("message", onMessage);
          child.off("exit", onExit);
          if (err) reject(err);
          else resolve(value as T);
        }
        child.on("message", onMessage);
        child.once("exit", onExit);
      });
    },
  };
}

/** In a child: exit when the parent goes away (its IPC channel closes). */
export function exitWithParent(onExit?: () => Promise<void> | void): void {
  const bye = () => {
    void Promise.resolve()
      .then(onExit)
      .finally(() => process.exit(0));
  };
  process.on("disconnect", bye);
  process.on("SIGTERM", bye);
  process.on("SIGINT", bye);
}

let clockTicks: number | null = null;
/** CPU seconds (user + system, all threads) a process has used so far, from /proc; null where unavailable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

/** The worker processes of an nginx master (their parent pid is the master's). */
export function nginxWorkers(masterPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === masterPid) pids.push(Number(entry));
    } catch {
      // gone in the meantime
    }
  }
  return pids;
}
