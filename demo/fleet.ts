import { request } from "undici";
import { BuiltinRouter } from "../server/adapters/routers/builtin/builtin-router.ts";
import type { ObservationSink, Side } from "../server/metrics/types.ts";
import { ZFault, type TFault, type TFaultInput } from "./fault.ts";
import type { FlagSample } from "./sample-app.ts";
import { spawnSampleService, type ServiceProcess } from "./service-process.ts";
import { startTrafficGenerator, type TrafficGenerator } from "./traffic-generator.ts";

/** How to bring up the demo fleet. Every port defaults to 0 (a free one). */
export type DemoFleetOptions = {
  /** Version the baseline process plays, e.g. "1.4.2". */
  baselineVersion: string;
  /** Version the canary process plays, e.g. "1.5.0". */
  canaryVersion: string;
  baselinePort?: number;
  canaryPort?: number;
  /** Where the router (the fleet's front door) listens. */
  routerPort?: number;
  /** Generated requests per second; 0 = none until `generator.setRate`. Default 20. */
  rps?: number;
  /** Simulated users. Default 200. */
  clients?: number;
  /** Receives the router's observations. */
  sink: ObservationSink;
  /** Monotonic milliseconds for latencies; default `performance.now`. */
  clock?: () => number;
  /** The release's site folder for a version (its home page and headers), when it has one. */
  siteDirFor?: (version: string) => string | undefined;
  /** The region this fleet serves (a production region of the demo): its router's observations say so. */
  region?: string;
  /** Flightdeck's OFREP base for this fleet's environment: both versions read the checkout flag there (issue 15). */
  flagsUrl?: string;
  /** A flag run's requests either version saw, tagged with the variant each user got. */
  onFlagSamples?: (samples: FlagSample[]) => void;
  /** Where the fleet reports a service that died on its own. Default `console.warn`. */
  log?: (line: string) => void;
};

/** The running demo fleet. */
export type DemoFleet = {
  /** The router in front of both versions: hand it to the engine as its TrafficRouter. */
  router: BuiltinRouter;
  /** The traffic generator (change its rate with `setRate`). */
  generator: TrafficGenerator;
  /** The two sample-service processes. */
  services: Record<Side, ServiceProcess>;
  /** The router's origin: what users (and the generator) call. */
  url: string;
  /** Injects a fault into one version; omitted fields mean "none" (a memory fault dropped restarts it, as clearFault does); `variant`: only that flag variant's users see it. Returns the fault now applied. */
  setFault(side: Side, fault: TFaultInput): Promise<TFault>;
  /** The fault one version currently applies. */
  getFault(side: Side): Promise<TFault>;
  /**
   * Removes one version's fault. A process whose fault leaked memory is restarted (same version,
   * same port): its runtime keeps the pages it grew even once the leak is freed, and the next run's
   * memory trigger would judge the canary by them.
   */
  clearFault(side: Side): Promise<TFault>;
  /**
   * Makes one side run `version`: restarts its process on the same port when it plays another
   * (a new run targets a different release), so the router and the agents' URLs stay valid.
   */
  playVersion(side: Side, version: string): Promise<void>;
  /** Stops the traffic, the router and both processes; resolves when the processes have exited. */
  stop(): Promise<void>;
};

/**
 * Brings up the demo: a sample service in two versions as real processes, the built-in router
 * in front of them and steady traffic through it, so a new user sees a real canary at once.
 */
export async function startDemoFleet(options: DemoFleetOptions): Promise<DemoFleet> {
  const log = options.log ?? ((line: string) => console.warn(`[demo] ${line}`));
  const onUnexpectedExit = (detail: string) => log(detail);
  const spawnVersion = (version: string, port: number) =>
    spawnSampleService({ version, port, siteDir: options.siteDirFor?.(version), onUnexpectedExit, flagsUrl: options.flagsUrl, onFlagSamples: options.onFlagSamples });
  const [baseline, canary] = await Promise.allSettled([spawnVersion(options.baselineVersion, options.baselinePort ?? 0), spawnVersion(options.canaryVersion, options.canaryPort ?? 0)]);
  if (baseline.status === "rejected" || canary.status === "rejected") {
    await Promise.all([baseline, canary].map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    throw baseline.status === "rejected" ? baseline.reason : canary.status === "rejected" ? canary.reason : new Error("unreachable");
  }
  const services: Record<Side, ServiceProcess> = { baseline: baseline.value, canary: canary.value };

  // A parent that exits without stop() (process.exit from a signal handler) still takes its
  // services along: 'exit' handlers may only do synchronous work, and kill() is. A parent that
  // is SIGKILLed cannot run anything; the children notice their IPC channel close instead.
  const killOnExit = () => {
    for (const s of Object.values(services)) {
      try {
        if (s.alive()) process.kill(s.pid, "SIGTERM");
      } catch {
        // exited in the meantime: nothing left to do, and an exit handler must not throw
      }
    }
  };
  process.on("exit", killOnExit);

  const router = new BuiltinRouter({
    listenPort: options.routerPort ?? 0,
    host: "127.0.0.1",
    upstreams: { baseline: services.baseline.url, canary: services.canary.url },
    sink: options.sink,
    clock: options.clock,
    ...(options.region ? { region: options.region } : {}),
  });
  try {
    await router.start();
  } catch (e) {
    process.off("exit", killOnExit);
    await Promise.all([services.baseline.stop(), services.canary.stop()]);
    throw e;
  }
  const address = router.address();
  if (!address) throw new Error("router did not report its address");
  const generator = startTrafficGenerator({ target: address.url, rps: options.rps ?? 20, clients: options.clients, clock: options.clock });

  const faultCall = async (side: Side, method: "GET" | "POST" | "DELETE", body?: TFaultInput): Promise<TFault> => {
    const res = await request(`${services[side].url}/__fault`, {
      method,
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${side} refused the fault (${res.statusCode}): ${text}`);
    return ZFault.parse(JSON.parse(text));
  };

  let stopping: Promise<void> | null = null;
  // One restart at a time per side: two runs noticed at once must not race for the port.
  const switching: Record<Side, Promise<void>> = { baseline: Promise.resolve(), canary: Promise.resolve() };
  // Whether a side's process has run a memory fault since it started: it stays degraded until restarted.
  const leaked: Record<Side, boolean> = { baseline: false, canary: false };
  /** Restarts one side's process on its port as `version`; `fresh` restarts it even when it already plays it. */
  const respawn = (side: Side, version: string, fresh = false): Promise<void> => {
    const next = switching[side].then(async () => {
      if (stopping || (!fresh && services[side].version === version)) return;
      const { port, version: previous } = services[side];
      const started = Date.now();
      await services[side].stop();
      try {
        services[side] = await spawnVersion(version, port);
      } catch (e) {
        // Put the previous version back on the port, so the router never points at nothing.
        log(`${side} could not start ${version} on port ${port} after ${((Date.now() - started) / 1000).toFixed(1)} s (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); putting ${previous} back`);
        services[side] = await spawnVersion(previous, port);
        throw e;
      }
      // A release waits for this (New run, the API): a slow start is worth a line in the log.
      const tookMs = Date.now() - started;
      if (tookMs > 10_000) log(`${side} took ${(tookMs / 1000).toFixed(1)} s to switch to ${version}`);
    });
    switching[side] = next.catch(() => {});
    return next;
  };
  const playVersion = async (side: Side, version: string): Promise<void> => {
    const switched = services[side].version !== version;
    await respawn(side, version);
    if (switched) leaked[side] = false;
  };
  const restartIfLeaked = async (side: Side) => {
    if (!leaked[side]) return;
    await respawn(side, services[side].version, true);
    leaked[side] = false;
  };
  const setFault = async (side: Side, input: TFaultInput): Promise<TFault> => {
    const fault = ZFault.parse(input);
    if (fault.memoryMbPerMin === 0) await restartIfLeaked(side);
    else leaked[side] = true;
    return faultCall(side, "POST", fault);
  };
  return {
    router,
    generator,
    services,
    url: address.url,
    setFault,
    getFault: (side) => faultCall(side, "GET"),
    clearFault: async (side) => {
      await restartIfLeaked(side);
      return faultCall(side, "DELETE");
    },
    playVersion,
    stop() {
      stopping ??= (async () => {
        await generator.stop();
        await router.stop();
        await Promise.all([switching.baseline, switching.canary]); // a restart in flight finishes first
        await Promise.all([services.baseline.stop(), services.canary.stop()]);
        process.off("exit", killOnExit);
      })();
      return stopping;
    },
  };
}
