import { killGroup, MINIMAL_PATH, spawnIsolated } from "../../isolated-command.ts";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { TQaCommand } from "./config.ts";

/** Lines of a command's output passed to the live log before it is cut off (the rest is counted). */
export const MAX_LOG_LINES = 500;
/** Characters of one output line kept; longer lines are cut. */
export const MAX_LINE_CHARS = 4_000;


/** How a command ended; `lastLines` are its last lines of output (evidence for a finding). */
export type CommandOutcome =
  /** it ended by itself: an exit code, or the signal that killed it from outside */
  | { kind: "exited"; exitCode: number | null; signal: string | null; lastLines: string[] }
  | { kind: "timed_out"; lastLines: string[] }
  | { kind: "cancelled"; lastLines: string[] }
  | { kind: "not_started"; reason: string };

/**
 * Runs `cmd` in `cwd` without a shell, in its own process group, streaming stdout and stderr to
 * `log` line by line (at most MAX_LOG_LINES, then one truncation marker). A timeout or an abort
 * kills the whole group, so `sh -c "sleep 30"` does not leave its sleep behind. Never throws.
 */
export function runCommand(cmd: TQaCommand, cwd: string, label: string, log: (line: string) => Promise<void>, signal: AbortSignal): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let logged = 0;
    let dropped = 0;
    const lastLines: string[] = [];
    // Log calls are chained so lines arrive in order; the outcome waits for the chain.
    let logChain: Promise<void> = Promise.resolve();
    const emit = (line: string) => {
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
      if (logged >= MAX_LOG_LINES) {
        dropped++;
        return;
      }
      logged++;
      logChain = logChain.then(() => log(`[${label}] ${line}`)).catch(() => undefined);
    };
    const splitter = () => {
      let partial = "";
      // A chunk can end inside a multi-byte character; the decoder keeps it for the next one.
      const decoder = new StringDecoder("utf8");
      return {
        push(chunk: Buffer) {
          const parts = (partial + decoder.write(chunk)).split(/\r?\n/);
          partial = parts.pop() ?? "";
          for (const p of parts) emit(p);
          // A minified bundle or a progress bar without newlines must not grow without bound.
          if (partial.length > MAX_LINE_CHARS) {
            emit(`${partial.slice(0, MAX_LINE_CHARS)}… (line truncated)`);
            partial = "";
          }
        },
        flush() {
          partial += decoder.end();
          if (partial.length > 0) emit(partial);
          partial = "";
        },
      };
    };

    let settled = false;
    let stopReason: "timed_out" | "cancelled" | null = null;
    const finish = (outcome: CommandOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      out.flush();
      err.flush();
      if (dropped > 0) logChain = logChain.then(() => log(`[${label}] … ${dropped} more lines not shown (log capped at ${MAX_LOG_LINES} lines)`)).catch(() => undefined);
      void logChain.then(() => resolve(outcome));
    };

    if (signal.aborted) {
      resolve({ kind: "cancelled", lastLines: [] });
      return;
    }
    const out = splitter();
    const err = splitter();
    // The project's own tools first; CI=true makes test runners non-interactive.
    const env = { PATH: `${path.join(cwd, "node_modules", ".bin")}:${MINIMAL_PATH}`, CI: "true" };
    let child: ReturnType<typeof spawnIsolated>;
    try {
      child = spawnIsolated(cmd.command, cmd.args, { cwd, env });
    } catch (e) {
      resolve({ kind: "not_started", reason: e instanceof Error ? e.message : String(e) });
      return;
    }
    const stop = (why: "timed_out" | "cancelled") => {
      if (stopReason !== null) return;
      stopReason = why;
      killGroup(child.pid);
    };
    const onAbort = () => stop("cancelled");
    const timer = setTimeout(() => stop("timed_out"), cmd.timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });

    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => finish({ kind: "not_started", reason: `could not start ${cmd.command}: ${e.message}` }));
    child.on("close", (code, killedBy) => {
      if (stopReason !== null) finish({ kind: stopReason, lastLines });
      else finish({ kind: "exited", exitCode: code, signal: killedBy, lastLines });
    });
  });
}
