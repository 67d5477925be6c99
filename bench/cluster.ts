/**
 * Cluster: three Flightdeck instances (server/testing/instance-process.ts, each its own process)
 * on one embedded PostgreSQL behind the harness's round-robin balancer (server/testing/cluster.ts),
 * 1,000 signed-in socket.io viewers through the balancer, a staging canary holding its first step
 * with healthy samples sent through the balancer, and the instance owning the run's analysis killed
 * with SIGKILL mid-hold. Fan-out lag: events published on the cluster bus (LISTEN/NOTIFY) from this
 * process carry their emit time, received by viewers on every instance. Takeover: kill → first
 * evaluation stored after it. Lost: the run's own seqs a viewer neither saw nor can refetch after
 * rejoining. Double steps: rollout_step rows for the same step index beyond the first.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getAuth } from "../server/auth/auth.ts";
import type { RunState } from "../server/core/types.ts";
import { startEmbeddedPostgres } from "../server/db/embedded.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { ClusterBus } from "../server/realtime/cluster-bus.ts";
import { setRuntime } from "../server/runtime.ts";
import { createApiToken } from "../server/services/api-tokens.ts";
import { runCommand } from "../server/services/runs.ts";
import { startCluster } from "../server/testing/cluster.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../server/testing/harness.ts";
import { epochMs, freePort, onCleanup, PROJECT_ROOT, sleep, startChild } from "./lib.ts";

export type ClusterFigures = {
  instances: number;
  viewers: number;
  p99_ms: number | null;
  takeover_s: number | null;
  lost_events: number | null;
  double_steps: number | null;
  notes: string[];
};

const kindIs =
  <T extends object>(kind: string) =>
  (m: unknown): T | undefined =>
    typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === kind ? (m as T) : undefined;

export async function benchCluster(opts: { instances: number; viewers: number; holdSeconds: number; intervalMs: number }, log: (line: string) => void): Promise<ClusterFigures> {
  const notes: string[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-bench-cluster-"));
  chmodSync(dir, 0o755); // readable by the unprivileged postgres user when we are root
  onCleanup("cluster postgres folder", () => rmSync(dir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: await freePort(), database: "flightdeck_cluster" });
  onCleanup("cluster postgres", () => pg.stop());
  await migrateDatabase(pg.url, PROJECT_ROOT);
  const authSecret = "cluster-bench-secret-0123456789abcdef0123";
  setRuntime({ databaseUrl: pg.url, authSecret, publicUrl: "http://127.0.0.1:3000", testMode: true });
  const h = makeEngine(pg.url); // never started: creates runs and sends commands as the server actions do

  const cluster = await startCluster({ db: h.db, databaseUrl: pg.url, authSecret, instances: opts.instances });
  onCleanup("cluster instances and balancer", () => cluster.stop());
  log(`cluster: ${opts.instances} instances up behind ${cluster.balancerUrl}`);

  const rm = await makeUser(h.db, "release_manager");
  const viewer = await makeUser(h.db, "viewer");
  const admin = await makeUser(h.db, "admin");
  const signedIn = await getAuth().api.signInEmail({ body: { email: viewer.email, password: "correct horse battery" }, headers: new Headers(), returnHeaders: true });
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { token } = await createApiToken(h.db, { id: admin.id, name: admin.name, role: admin.role }, { name: "cluster bench", scopes: ["metrics:write"] });

  const state = async (id: string) => (await h.db.releaseRun.findUniqueOrThrow({ where: { id } })).state as unknown as RunState;
  const svc = await makeService(h.db, { holdScale: opts.holdSeconds / 1800 });
  await h.db.environment.updateMany({ where: { serviceId: svc.id }, data: { metricSource: { kind: "prometheus", url: "http://127.0.0.1:9", intervalSeconds: 10 } } });
  const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
  await eventually(async () => (await state(run.id)).waitingFor === "weight_confirmation", 60_000);

  const clients = startChild("cluster-clients.ts", [cluster.balancerUrl, run.id, String(opts.viewers), cookie]);
  const ready = await clients.next(kindIs<{ joined: number; failed: number; connectSeconds: number }>("ready"), 120_000, "ready message");
  log(`cluster: ${ready.joined} viewers joined in ${ready.connectSeconds.toFixed(1)} s (${ready.failed} failed)`);
  const seqAt = async () => (await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id }, select: { seq: true } })).seq;
  const fromSeq = await seqAt();

  await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
  await eventually(async () => (await state(run.id)).stepPhase === "holding", 60_000);
  // Healthy traffic on both sides through the balancer, as routers would report it.
  const samples = [
    ...Array.from({ length: 40 }, () => ({ type: "request", side: "baseline", status: 200, latencyMs: 20 })),
    ...Array.from({ length: 40 }, () => ({ type: "request", side: "canary", status: 200, latencyMs: 20 })),
  ];
  const feeding = setInterval(() => {
    void fetch(`${cluster.balancerUrl}/api/v1/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ runId: run.id, samples }),
    }).catch(() => {});
  }, 1_000);
  const stopFeeding = onCleanup("cluster sample feed", () => clearInterval(feeding));

  // Timed events on the bus (seqs far above the run's own, so they never look like its gaps).
  const bus = new ClusterBus({ databaseUrl: pg.url, deliver: () => {}, onError: (w, e) => log(`cluster bus ${w}: ${String(e)}`) });
  await bus.start();
  const stopBus = onCleanup("cluster bench bus", () => bus.stop());
  let n = 0;
  const emit = () => {
    n++;
    bus.publish({ kind: "runChanged", event: { runId: run.id, seq: 1_000_000 + n, status: "running", phase: "rollout", waitingFor: null, summary: `bench emittedAt=${epochMs().toFixed(3)}` } });
  };
  const emitting = setInterval(emit, opts.intervalMs);
  const stopEmitting = onCleanup("cluster bench emitter", () => clearInterval(emitting));

  const ownerIndex = await eventually(() => cluster.ownerOf(run.id), 20_000);
  await eventually(async () => (await h.db.analysisEvaluation.count({ where: { runId: run.id } })) > 0, 20_000);
  await sleep(3_000);
  await cluster.kill(ownerIndex, "SIGKILL");
  const killedAt = Date.now();
  log(`cluster: killed instance ${ownerIndex} (owner of the run's analysis) mid-hold`);
  const resumed = await eventually(() => h.db.analysisEvaluation.findFirst({ where: { runId: run.id, at: { gt: new Date(killedAt) } }, orderBy: { at: "asc" } }), 30_000).catch(() => null);
  const takeover_s = resumed ? (resumed.at.getTime() - killedAt) / 1000 : null;
  // The hold ends on the new owner's verdict and the run moves on (the next weight to confirm).
  const advanced = await eventually(async () => {
    const s = await state(run.id);
    return s.stepIndex > 0 || s.status !== "running" ? s : null;
  }, (opts.holdSeconds + 60) * 1000).catch(() => null);
  await stopEmitting();
  await sleep(1_000);
  const toSeq = await seqAt();
  // Seqs of events this process's own (never started) engine published while handling the bench's
  // commands went to its in-memory list, not the cluster bus: no viewer could see them, and a
  // server action's engine would have published them on its instance's bus. They are not counted.
  const local = new Set(h.published.flatMap((e) => ("seq" in e.event && typeof e.event.seq === "number" && e.event.runId === run.id ? [e.event.seq] : [])));
  const seqs = Array.from({ length: toSeq - fromSeq }, (_, i) => fromSeq + 1 + i).filter((s) => !local.has(s));
  const resultP = clients.next(kindIs<{ lost: number; reconnected: number; received: number; p50: number | null; p99: number | null; max: number | null }>("result"), 60_000, "result");
  clients.send({ kind: "finish", seqs });
  const result = await resultP;
  await clients.stop();
  await stopFeeding();
  await stopBus();

  const steps = await h.db.rolloutStep.groupBy({ by: ["index"], where: { runId: run.id }, _count: { _all: true } });
  const double_steps = steps.reduce((sum, s) => sum + Math.max(0, s._count._all - 1), 0);
  notes.push(
    `cluster: ${opts.instances} instances (instance-process.ts: engine, analysis lease, bus, socket.io, API ingest; no Next) on one embedded PostgreSQL behind a TCP round-robin balancer; ` +
      `${ready.joined}/${opts.viewers} signed-in viewers; ${n} timed events on the bus, ${result.received} receipts, lag p50 ${result.p50?.toFixed(1)} / p99 ${result.p99?.toFixed(1)} / max ${result.max?.toFixed(1)} ms; ` +
      `owner killed with SIGKILL mid-hold, evaluations resumed after ${takeover_s?.toFixed(1) ?? "never"} s; ${result.reconnected} viewers reconnected; ` +
      `run seqs ${fromSeq + 1}..${toSeq} (${local.size} published by this process's own engine, not counted): ${result.lost} missing (neither received nor refetchable after rejoin); run ${advanced ? `moved on (${advanced.status}, step ${advanced.stepIndex})` : "did NOT move on"}; ` +
      `double steps ${double_steps} (rollout_step rows per index beyond the first)`,
  );
  return { instances: opts.instances, viewers: ready.joined, p99_ms: result.p99, takeover_s, lost_events: result.lost, double_steps, notes };
}
