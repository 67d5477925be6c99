/**
 * Several Flightdeck instances on one PostgreSQL behind a round-robin balancer, for the cluster
 * service test and the `cluster` bench. Each instance is its own OS process running
 * server/testing/instance-process.ts (what main.ts runs for a cluster member — engine, analysis
 * lease, metric forwarder, cross-instance bus, socket.io, the API v1 metrics and events routes —
 * without Next.js, whose production build the tests must not need). The balancer is a tiny TCP
 * round-robin proxy: working at the TCP level it carries websocket upgrades untouched, and a
 * connection to a dead instance is retried on the next one, as nginx's `proxy_next_upstream` does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { Db } from "../db/client.ts";
import { analysisOwner } from "../db/analysis-lease-repository.ts";
import { freePort } from "./global-setup.ts";

export type ClusterInstance = { index: number; id: string; port: number; url: string; child: ChildProcess };

export type Cluster = {
  instances: ClusterInstance[];
  urls: string[];
  balancerUrl: string;
  /** Kills instance i with the signal and waits until the process has exited. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts instance i afresh (same port, new instance id). */
  restart(i: number): Promise<ClusterInstance>;
  alive(i: number): boolean;
  /** Index of the instance owning the run's analysis lease (analysis_lease.owner), or null. */
  ownerOf(runId: string): Promise<number | null>;
  stop(): Promise<void>;
};

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function spawnInstance(index: number, port: number, databaseUrl: string, authSecret: string): Promise<ClusterInstance> {
  // node --import tsx, not the tsx CLI: the CLI forks a second process that SIGKILL would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/testing/instance-process.ts"), databaseUrl, String(port), authSecret], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${index} not ready within 60 s`)), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`instance ${index} exited with ${code}`)));
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /instance ready (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  child.stdout?.resume(); // keep draining its output so it never blocks on a full pipe
  return { index, id, port, url: `http://127.0.0.1:${port}`, child };
}

/** Round-robin TCP balancer over the ports; skips a backend that refuses the connection. */
async function startBalancer(ports: () => number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.pause();
    const list = ports();
    const attempt = (tries: number) => {
      if (tries >= list.length) return void client.destroy();
      const port = list[next++ % list.length];
      const upstream = net.connect(port ?? 0, "127.0.0.1");
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      upstream.once("error", () => {
        // Refused before anything was sent: the next instance gets the connection.
        if (!upstream.bytesWritten && !client.destroyed) return attempt(tries + 1);
        client.destroy();
      });
      upstream.once("connect", () => {
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startCluster(opts: { db: Db; databaseUrl: string; authSecret: string; instances?: number }): Promise<Cluster> {
  const n = opts.instances ?? 3;
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const instances: ClusterInstance[] = [];
  const stopAll = async () => {
    await Promise.all(instances.map((_, i) => kill(i, "SIGKILL")));
  };
  const kill = async (i: number, signal: NodeJS.Signals = "SIGKILL") => {
    const inst = instances[i];
    if (!inst || exited(inst.child)) return;
    await new Promise<void>((resolve) => {
      inst.child.once("exit", () => resolve());
      inst.child.kill(signal);
    });
  };
  try {
    // One at a time: eight engineers share two cores, and each start compiles the TypeScript.
    for (let i = 0; i < n; i++) instances.push(await spawnInstance(i, ports[i] ?? 0, opts.databaseUrl, opts.authSecret));
  } catch (e) {
    await stopAll();
    throw e;
  }
  const balancer = await startBalancer(() => instances.filter((x) => !exited(x.child)).map((x) => x.port));
  return {
    instances,
    urls: instances.map((x) => x.url),
    balancerUrl: balancer.url,
    kill,
    alive: (i) => !!instances[i] && !exited(instances[i].child),
    async restart(i) {
      await kill(i, "SIGKILL");
      const fresh = await spawnInstance(i, ports[i] ?? 0, opts.databaseUrl, opts.authSecret);
      instances[i] = fresh;
      return fresh;
    },
    async ownerOf(runId) {
      const owner = await analysisOwner(opts.db, runId);
      const found = instances.find((x) => x.id === owner);
      return found ? found.index : null;
    },
    async stop() {
      await balancer.close();
      await stopAll();
    },
  };
}
