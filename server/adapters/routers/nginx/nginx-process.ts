import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";

/** What a finished command left behind. */
export type CommandResult = { exitCode: number; stdout: string; stderr: string };

/**
 * Runs a command to completion. Resolves with its exit code whatever it is; rejects only when
 * the command could not be started at all (missing binary, no permission).
 */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>;

// nginx -t, -s and a daemonising start each return within a second; this only stops a wedged one.
const COMMAND_TIMEOUT_MS = 30_000;

/** The default runner: node:child_process, no shell, so arguments are never interpreted. */
export const spawnRunner: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: COMMAND_TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", (e: NodeJS.ErrnoException) => {
      const hint = e.code === "ENOENT" ? ` (is nginx installed? e.g. apt-get install -y nginx)` : "";
      reject(new Error(`cannot run ${command}: ${e.message}${hint}`, { cause: e }));
    });
    child.on("close", (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr }));
  });

/** The pid in nginx's pid file, or null when there is none. */
export async function readPid(pidFile: string): Promise<number | null> {
  const text = await readFile(pidFile, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Whether `pid` is a live nginx master. A stale pid file may name a pid the system has since
 * given to another program, which `nginx -s reload` would then send SIGHUP to, so on Linux the
 * process title is checked too. A zombie (exited, not yet reaped by init) counts as gone.
 */
export async function isNginxMaster(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return process.platform !== "linux";
  // Field 3, after the parenthesised command name (which may itself contain spaces or parens).
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  if (state === "Z" || state === "X") return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline.startsWith("nginx: master process");
}

/**
 * How many of the master's workers still accept connections. On reload the old worker keeps
 * accepting until it handles its quit signal, then renames itself "worker process is shutting
 * down" and closes its listening sockets; a connection it took in that window is closed unanswered.
 * Null where /proc is not available.
 */
export async function acceptingWorkers(masterPid: number): Promise<number | null> {
  const entries = await readdir("/proc").catch(() => null);
  if (entries === null) return null;
  let count = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid !== masterPid) continue;
    const title = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).replace(/\0/g, " ").trim();
    if (title === "nginx: worker process") count++;
  }
  return count;
}

/** GETs a URL on a fresh connection (never a keepalive one that an old worker still holds); null on any failure. */
export async function fetchText(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await request(url, { method: "GET", reset: true, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.body.text();
    return res.statusCode === 200 ? body : null;
  } catch {
    return null;
  }
}

/** Polls `check` until it is true or `timeoutMs` passes; answers whether it became true. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await sleep(intervalMs);
  }
}

/** The last lines of nginx's error log, for errors that nginx reports only there (a failed reload). */
export async function errorLogTail(errorLog: string, lines = 5): Promise<string> {
  const text = await readFile(errorLog, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** nginx's own words from a failed command, without the noise lines around them. */
export function nginxMessage(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const text = lines.join("\n");
  return text.length > 0 ? text.slice(0, 2_000) : `exit code ${result.exitCode}`;
}
