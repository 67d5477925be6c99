import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RouteTarget, ServedWeight, TrafficRouter } from "../../../engine/ports.ts";
import { assertConfigInput, nginxPaths, renderNginxConfig, WEIGHT_PATH } from "./nginx-config.ts";
import { acceptingWorkers, errorLogTail, fetchText, isNginxMaster, nginxMessage, readPid, spawnRunner, waitUntil, type CommandRunner } from "./nginx-process.ts";

/** Settings of an nginx router: one nginx, in its own prefix, in front of one service's two sides. */
export type NginxRouterOptions = {
  /** the nginx binary (≥ 1.19.5, for `-e`); default /usr/sbin/nginx */
  nginxBinary?: string;
  /** working directory for conf/, logs/ (error log, pid) and tmp/; created if missing */
  prefix: string;
  /** port nginx listens on, on 127.0.0.1, for the service's traffic */
  listenPort: number;
  /** `host:port` of each side, e.g. { baseline: "127.0.0.1:8081", canary: "127.0.0.1:8082" } */
  upstreams: { baseline: string; canary: string };
  /** runs nginx commands; default spawns them without a shell */
  run?: CommandRunner;
  /** worker user when nginx starts as root; default nginx's built-in one (nobody) */
  user?: string;
  /** how long a start or reload may take to serve the new weight; default 10 s */
  applyTimeoutMs?: number;
  /** how long stop() waits for in-flight requests before forcing nginx down; default 10 s */
  stopTimeoutMs?: number;
};

const RUN_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Shifts traffic with a real nginx: each weight is a complete nginx.conf, checked with `nginx -t`
 * before it replaces the running one, then applied by a graceful reload (no dropped connections).
 * setWeight returns once nginx serves the new weight, read back from its weight endpoint.
 */
export class NginxRouter implements TrafficRouter {
  private readonly binary: string;
  private readonly prefix: string;
  private readonly paths: ReturnType<typeof nginxPaths>;
  private readonly run: CommandRunner;
  // Weight changes and stop() run one at a time: two reloads racing could leave the older weight live.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NginxRouterOptions) {
    assertConfigInput(options);
    this.binary = options.nginxBinary ?? "/usr/sbin/nginx";
    this.prefix = path.resolve(options.prefix);
    this.paths = nginxPaths(this.prefix);
    this.run = options.run ?? spawnRunner;
  }

  /** Where the service's traffic enters. */
  get url(): string {
    return `http://127.0.0.1:${this.options.listenPort}`;
  }

  setWeight(target: RouteTarget, percent: number): Promise<void> {
    return this.serialized(() => this.apply(target, percent));
  }

  async verifyWeight(target: RouteTarget, percent: number): Promise<boolean> {
    const served = parseMarker(await fetchText(`${this.url}${WEIGHT_PATH}`, PROBE_TIMEOUT_MS));
    return served !== null && served.runId === target.runId && served.percent === percent;
  }

  /**
   * The split nginx serves, from its weight endpoint (the marker its live config carries). An
   * nginx that is not running serves nobody: no run, 0%, and re-applying the weight starts it.
   * One that runs but does not answer in time cannot be read now (null).
   */
  async servedWeight(): Promise<ServedWeight | null> {
    const served = parseMarker(await fetchText(`${this.url}${WEIGHT_PATH}`, PROBE_TIMEOUT_MS));
    if (served) return served;
    return (await this.runningPid()) === null ? { runId: null, percent: 0 } : null;
  }

  /** Quits nginx gracefully (in-flight requests finish) and waits until its master is gone. */
  stop(): Promise<void> {
    return this.serialized(async () => {
      const pid = await this.runningPid();
      if (pid === null) return;
      const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
      await this.nginx(["-s", "quit"]);
      if (await waitUntil(async () => !(await isNginxMaster(pid)), timeoutMs)) return;
      // A long request or stuck upstream must not keep an abandoned nginx alive: fast shutdown.
      process.kill(pid, "SIGTERM");
      if (await waitUntil(async () => !(await isNginxMaster(pid)), timeoutMs)) return;
      throw new Error(`nginx (pid ${pid}) did not stop within ${2 * timeoutMs} ms`);
    });
  }

  private async apply(target: RouteTarget, percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new RangeError(`nginx weights are whole percents 0–100, got ${percent}`);
    }
    // The run id is written into the config: allow only characters that cannot escape its string.
    if (!RUN_ID.test(target.runId)) throw new Error(`run id ${JSON.stringify(target.runId)} is not safe to put in an nginx config`);
    await this.ensureDirectories();

    // A fresh generation per change, so a repeated weight still proves that this reload took effect.
    const { listenPort, upstreams, user } = this.options;
    const marker = `${target.runId} ${percent} ${randomBytes(6).toString("hex")}`;
    const text = renderNginxConfig({ prefix: this.prefix, listenPort, upstreams, user, percent, marker });
    const candidate = await this.writeCandidate(text);
    try {
      const check = await this.nginx(["-t"], candidate);
      if (check.exitCode !== 0) throw new Error(`nginx rejected the config for canary ${percent}%: ${nginxMessage(check)}`);
    } catch (e) {
      await rm(candidate, { force: true });
      throw e;
    }

    const previous = await readFile(this.paths.conf, "utf8").catch(() => null);
    await rename(candidate, this.paths.conf);
    try {
      const running = (await this.runningPid()) !== null;
      const result = await this.nginx(running ? ["-s", "reload"] : []);
      if (result.exitCode !== 0) throw new Error(`nginx ${running ? "reload" : "start"} failed: ${nginxMessage(result)}`);
      await this.waitUntilLive(marker, percent);
    } catch (e) {
      // Put back the config nginx still runs, so a later restart does not pick up the failed one.
      if (previous !== null) await rename(await this.writeCandidate(previous), this.paths.conf);
      throw e;
    }
  }

  private async waitUntilLive(marker: string, percent: number): Promise<void> {
    const timeoutMs = this.options.applyTimeoutMs ?? 10_000;
    // A reload that fails (a port in use, say) is reported only in the error log; the old
    // workers keep serving, so the weight endpoint tells whether the new config is live.
    const served = await waitUntil(async () => (await fetchText(`${this.url}${WEIGHT_PATH}`, PROBE_TIMEOUT_MS)) === marker, timeoutMs);
    if (!served) throw new Error(`nginx did not serve canary ${percent}% within ${timeoutMs} ms; error log:\n${await errorLogTail(this.paths.errorLog)}`);
    // The new worker answers; until the old one stops accepting, a new connection may still get
    // the old weight (or be closed unanswered). Where that cannot be observed, the probe suffices.
    const pid = await this.runningPid();
    if (pid !== null) await waitUntil(async () => ((await acceptingWorkers(pid)) ?? 0) <= 1, timeoutMs);
  }

  private async runningPid(): Promise<number | null> {
    const pid = await readPid(this.paths.pid);
    return pid !== null && (await isNginxMaster(pid)) ? pid : null;
  }

  private nginx(args: string[], conf = this.paths.conf) {
    // `-e` keeps nginx off its built-in error log (/var/log/nginx) before it has read our config.
    return this.run(this.binary, ["-p", `${this.prefix}/`, "-c", conf, "-e", this.paths.errorLog, ...args]);
  }

  // Written next to nginx.conf, so the rename that installs it is atomic (same file system).
  private async writeCandidate(text: string): Promise<string> {
    const file = path.join(this.paths.confDir, `nginx.conf.${randomBytes(6).toString("hex")}.tmp`);
    await writeFile(file, text, { mode: 0o644 });
    return file;
  }

  private async ensureDirectories(): Promise<void> {
    for (const dir of [this.prefix, this.paths.confDir, this.paths.logsDir, this.paths.tmpDir]) await mkdir(dir, { recursive: true });
    // Started as root, nginx workers run as nobody and must reach their temp folders in here.
    if (process.getuid?.() === 0) await chmod(this.prefix, 0o755);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function parseMarker(text: string | null): { runId: string; percent: number } | null {
  const [runId, percent] = text?.trim().split(" ") ?? [];
  if (runId === undefined || percent === undefined || !/^\d{1,3}$/.test(percent)) return null;
  return { runId, percent: Number(percent) };
}
