import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import type { FlagSample } from "./sample-app.ts";
import type { SampleServiceMessage } from "./sample-service.ts";

/** A running sample-service process. */
export type ServiceProcess = {
  version: string;
  /** Its own origin, e.g. `http://127.0.0.1:4001` (the router's upstream). */
  url: string;
  port: number;
  pid: number;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
};

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./sample-service.ts", import.meta.url));
const STDERR_TAIL = 4_000;

/**
 * Starts `demo/sample-service.ts` as a child process and resolves once it answers /healthz.
 * Node runs it directly with `--import tsx` rather than through the tsx CLI, which forks a
 * second process that killing the first would orphan. The IPC channel is how the child learns
 * its parent died (see sample-service.ts).
 */
export async function spawnSampleService(opts: {
  version: string;
  port: number;
  siteDir?: string;
  /** Flightdeck's OFREP base for the service's environment: the process reads its checkout flag there (issue 15) */
  flagsUrl?: string;
  /** a flag run's requests the process saw, tagged with the variant each user got */
  onFlagSamples?: (samples: FlagSample[]) => void;
  startTimeoutMs?: number;
  onUnexpectedExit?: (detail: string) => void;
}): Promise<ServiceProcess> {
  const args = ["--import", "tsx", SCRIPT, "--port", String(opts.port), "--version", opts.version, ...(opts.siteDir ? ["--site-dir", opts.siteDir] : []), ...(opts.flagsUrl ? ["--flags-url", opts.flagsUrl] : [])];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const onFlagSamples = opts.onFlagSamples;
  if (onFlagSamples) {
    child.on("message", (m: unknown) => {
      if (isFlagSamples(m)) onFlagSamples(m.samples);
    });
  }
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  let stopping = false;

  const stop = async (graceMs = 3_000) => {
    stopping = true;
    if (hasExited()) return;
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(force);
  };

  // Each process compiles its TypeScript as it starts (tsx). The demo starts six at once (staging and
  // two production regions, baseline and canary each); on a busy two-core machine one took over 20 s,
  // and a fleet missing one process starts none, leaving runs at 0% with no router. A minute it is.
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  try {
    const port = await listeningPort(child, deadline, () => stderr);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, deadline, hasExited);
    child.once("exit", (code, signal) => {
      if (!stopping) opts.onUnexpectedExit?.(`sample-service ${opts.version} (pid ${child.pid}) exited: ${signal ?? `code ${code}`}\n${stderr}`);
    });
    return { version: opts.version, url, port, pid: child.pid ?? -1, alive: () => !hasExited(), stop };
  } catch (e) {
    await stop(500);
    throw e;
  }
}

function listeningPort(child: ChildProcess, deadline: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`sample-service did not start in time\n${stderr()}`)), Math.max(0, deadline - Date.now()));
    const onMessage = (m: unknown) => {
      if (isListening(m)) done(m.port);
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`sample-service exited before listening (${signal ?? `code ${code}`})\n${stderr()}`));
    const onError = (e: Error) => done(e);
    function done(result: number | Error) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
      if (typeof result === "number") resolve(result);
      else reject(result);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

function isFlagSamples(m: unknown): m is Extract<SampleServiceMessage, { kind: "flag-samples" }> {
  return typeof m === "object" && m !== null && "kind" in m && m.kind === "flag-samples" && "samples" in m && Array.isArray(m.samples);
}

function isListening(m: unknown): m is Extract<SampleServiceMessage, { kind: "listening" }> {
  return typeof m === "object" && m !== null && "kind" in m && m.kind === "listening" && "port" in m && typeof m.port === "number";
}

async function waitHealthy(url: string, deadline: number, hasExited: () => boolean): Promise<void> {
  for (;;) {
    if (hasExited()) throw new Error(`sample-service at ${url} exited while starting`);
    try {
      const res = await request(`${url}/healthz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not accepting connections yet
    }
    if (Date.now() > deadline) throw new Error(`sample-service at ${url} did not become healthy in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
