import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getAuth } from "../auth/auth.ts";
import type { SessionUser } from "../auth/session.ts";
import type { RunState } from "../core/types.ts";
import { analysisOwner } from "../db/analysis-lease-repository.ts";
import { disconnectDb } from "../db/client.ts";
import { ClusterBus } from "../realtime/cluster-bus.ts";
import type { AgentLogEvent, ClientToServerEvents, DomainEvent, RunChangedEvent, ServerToClientEvents } from "../realtime/event-map.ts";
import { setRuntime } from "../runtime.ts";
import { createApiToken } from "../services/api-tokens.ts";
import { runCommand } from "../services/runs.ts";
import { freePort } from "../testing/global-setup.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";

// Several Flightdeck instances, each its own OS process, on one PostgreSQL: events published on one
// reach browsers on another, one instance analyses a run and another takes it over within seconds
// of a kill -9, and samples sent to any instance reach the one analysing the run.
const url = inject("databaseUrl");
const AUTH_SECRET = "several-instances-test-secret-0123456789abcdef";
setRuntime({ databaseUrl: url, authSecret: AUTH_SECRET, publicUrl: "http://127.0.0.1:3000", testMode: true });
// Never started: it only creates runs and sends commands, as a server action would; the instances run the engines.
const h = makeEngine(url);
let rm: SessionUser;
let cookie: string;

type Instance = { id: string; port: number; child: ChildProcess };
const instances: Instance[] = [];

async function spawnInstance(): Promise<Instance> {
  const port = await freePort();
  // node --import tsx, not the tsx CLI: the CLI forks a second process that SIGKILL would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/testing/instance-process.ts"), url, String(port), AUTH_SECRET], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const id = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`instance exited with ${code}`)));
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /instance ready (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  const instance = { id, port, child };
  instances.push(instance);
  return instance;
}

function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function state(runId: string): Promise<RunState> {
  return (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } })).state as unknown as RunState;
}

/** A staging canary holding its first step under automated analysis (manual router, a metric source named so the analysis is on). */
async function holdingCanary(): Promise<string> {
  const svc = await makeService(h.db, { holdScale: 1 });
  await h.db.environment.updateMany({
    where: { serviceId: svc.id },
    data: { metricSource: { kind: "prometheus", url: "http://127.0.0.1:9", intervalSeconds: 10 } },
  });
  const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
  await eventually(async () => (await state(run.id)).waitingFor === "weight_confirmation", 30_000);
  await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
  const s = await eventually(async () => {
    const x = await state(run.id);
    return x.stepPhase === "holding" ? x : null;
  }, 30_000);
  expect(s.params.analysis).not.toBeNull();
  return run.id;
}

function connect(port: number): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  const viewer = await makeUser(h.db, "viewer");
  const signedIn = await getAuth().api.signInEmail({ body: { email: viewer.email, password: "correct horse battery" }, headers: new Headers(), returnHeaders: true });
  cookie = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  await Promise.all([spawnInstance(), spawnInstance()]);
}, 120_000);
afterAll(async () => {
  await Promise.all(instances.map((i) => kill9(i.child)));
  await disconnectDb();
});

describe("several instances on one database", () => {
  it("delivers events published on one instance to a browser and an API event stream on another, once each and in order", async () => {
    const b = instances[0];
    if (!b) throw new Error("no instance");
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id));
    const socket = await connect(b.port);
    const joined = await socket.timeout(5_000).emitWithAck("run:join", run.id);
    expect(joined.ok).toBe(true);
    const changes: RunChangedEvent[] = [];
    const logs: AgentLogEvent[] = [];
    socket.on("run:changed", (e) => changes.push(e));
    socket.on("run:log", (e) => logs.push(e));

    // An API client following the run's Server-Sent Events on the same instance.
    const admin = await makeUser(h.db, "admin");
    const { token } = await createApiToken(h.db, { id: admin.id, name: admin.name, role: admin.role }, { name: "events", scopes: ["runs:read"] });
    const sse = new AbortController();
    const res = await fetch(`http://127.0.0.1:${b.port}/api/v1/runs/${run.id}/events`, { headers: { authorization: `Bearer ${token}` }, signal: sse.signal });
    expect(res.status).toBe(200);
    let streamed = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        const reader = res.body?.getReader();
        for (;;) {
          const next = await reader?.read();
          if (!next || next.done) break;
          streamed += decoder.decode(next.value, { stream: true });
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    await eventually(async () => streamed.includes("event: run.changed"), 10_000);

    // "Instance A": this test process, publishing through its own bus connection as an engine would.
    const here: DomainEvent[] = [];
    const a = new ClusterBus({ databaseUrl: url, deliver: (e) => here.push(e), onError: (w, e) => console.error(w, e) });
    await a.start();
    try {
      const long = "x".repeat(30_000); // a NOTIFY carries 8000 bytes: this one travels in parts
      for (let i = 1; i <= 40; i++) {
        a.publish({ kind: "runChanged", event: { runId: run.id, seq: 1_000 + i, status: "running", phase: "rollout", waitingFor: null, summary: `change ${i}` } });
        if (i === 20) a.publish({ kind: "agentLog", event: { runId: run.id, seq: 1_020, taskId: "t", agent: "release", phase: "build", line: `é${long}`, at: new Date().toISOString() } });
      }
      await eventually(async () => changes.filter((c) => c.seq > 1_000).length >= 40 && logs.some((l) => l.seq === 1_020), 10_000);
      await new Promise((r) => setTimeout(r, 500)); // a duplicate would have arrived by now
      // (The instances' own engines publish this run's real changes too: only ours are counted here.)
      expect(changes.filter((c) => c.seq > 1_000).map((c) => c.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 1_001 + i));
      const ours = logs.filter((l) => l.seq === 1_020);
      expect(ours).toHaveLength(1);
      expect(ours[0]?.line).toBe(`é${long}`);
      // Delivered where it was published too, exactly once (and this bus hears the instances' engines as well).
      expect(here.filter((e) => e.kind === "runChanged" && e.event.seq > 1_000)).toHaveLength(40);
      // The SSE stream on the same instance carried it too.
      await eventually(async () => streamed.includes("id: 1020\n") && streamed.includes(long), 10_000);
    } finally {
      socket.close();
      sse.abort();
      await reading;
      await a.stop();
    }
  }, 60_000);

  it("counts samples sent to an instance that does not analyse the run: the owner rolls a failing canary back", async () => {
    const runId = await holdingCanary();
    const owner = await eventually(() => analysisOwner(h.db, runId), 10_000);
    const other = instances.find((i) => i.id !== owner);
    expect(instances.some((i) => i.id === owner)).toBe(true);
    if (!other) throw new Error("no second instance");
    const admin = await makeUser(h.db, "admin");
    const { token } = await createApiToken(h.db, { id: admin.id, name: admin.name, role: admin.role }, { name: "several instances", scopes: ["metrics:write"] });
    let accepted = 0;
    const samples = [
      ...Array.from({ length: 40 }, () => ({ type: "request", side: "baseline", status: 200, latencyMs: 20 })),
      ...Array.from({ length: 10 }, (_, i) => ({ type: "request", side: "canary", status: i % 2 === 0 ? 500 : 200, latencyMs: 20 })),
    ];
    const rolledBack = await eventually(async () => {
      const s = await state(runId);
      // (On the manual router a rollback waits for the operator to put the weight back: rolling_back.)
      if (s.status === "rolled_back" || s.status === "rolling_back") return s;
      const res = await fetch(`http://127.0.0.1:${other.port}/api/v1/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ runId, samples }),
      });
      // 202: accepted by the instance that does not analyse the run (a lone instance would say 409).
      if (res.status !== 202 && (await state(runId)).status === "running") throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      accepted += res.status === 202 ? 1 : 0;
      return null;
    }, 30_000);
    expect(rolledBack.rollback?.trigger).toBe("error-rate");
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);

  it("hands a run's analysis to another instance within 10 s of its owner being killed, and keeps storing evaluations", async () => {
    const runId = await holdingCanary();
    const owner = await eventually(() => analysisOwner(h.db, runId), 10_000);
    await eventually(async () => (await h.db.analysisEvaluation.count({ where: { runId } })) > 0, 10_000);
    const victim = instances.find((i) => i.id === owner);
    const survivor = instances.find((i) => i.id !== owner);
    if (!victim || !survivor) throw new Error("expected two instances");

    // A viewer on the instance about to die.
    const viewer = await connect(victim.port);
    expect((await viewer.timeout(5_000).emitWithAck("run:join", runId)).ok).toBe(true);
    const lostConnection = new Promise<void>((resolve) => viewer.once("disconnect", () => resolve()));

    await kill9(victim.child);
    const killedAt = Date.now();
    await lostConnection;
    viewer.close();
    // It reconnects to the survivor (as through the balancer): the join answers the run's current
    // sequence number, so the page refetches whatever it missed, and the new owner's evaluations stream in.
    const again = await connect(survivor.port);
    const analyses: string[] = [];
    again.on("run:analysis", (e) => analyses.push(e.at));
    const dbSeq = (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId }, select: { seq: true } })).seq;
    const rejoined = await again.timeout(5_000).emitWithAck("run:join", runId);
    expect(rejoined.ok && rejoined.seq >= dbSeq && dbSeq > 0).toBe(true);
    const resumed = await eventually(async () => {
      const e = await h.db.analysisEvaluation.findFirst({ where: { runId, at: { gt: new Date(killedAt) } }, orderBy: { at: "asc" } });
      return e;
    }, 20_000);
    const takeoverS = (resumed.at.getTime() - killedAt) / 1000;
    console.log(`[several instances] analysis taken over ${takeoverS.toFixed(1)} s after kill -9`);
    expect(takeoverS).toBeLessThan(10);
    expect(await analysisOwner(h.db, runId)).toBe(survivor.id);
    const s = await state(runId);
    expect(s.status).toBe("running");
    expect(s.stepPhase).toBe("holding");
    // It keeps evaluating: more evaluations after the first one of the new owner.
    await eventually(async () => (await h.db.analysisEvaluation.count({ where: { runId, at: { gt: resumed.at } } })) >= 2, 10_000);
    await eventually(async () => analyses.length >= 2, 10_000);
    again.close();
    await h.engine.dispatch(runId, { kind: "rollback", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
  }, 120_000);

  it("hands a run over at once when its owner stops cleanly (SIGTERM)", async () => {
    await spawnInstance();
    const alive = instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
    expect(alive).toHaveLength(2);
    const runId = await holdingCanary();
    const owner = await eventually(() => analysisOwner(h.db, runId), 10_000);
    const leaving = alive.find((i) => i.id === owner);
    const staying = alive.find((i) => i.id !== owner);
    if (!leaving || !staying) throw new Error("expected two instances");
    const exited = new Promise<number | null>((resolve) => leaving.child.once("exit", (code) => resolve(code)));
    const stoppedAt = Date.now();
    leaving.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await eventually(async () => ((await analysisOwner(h.db, runId)) === staying.id ? true : null), 10_000);
    const seconds = (Date.now() - stoppedAt) / 1000;
    console.log(`[several instances] analysis handed over ${seconds.toFixed(1)} s after SIGTERM`);
    expect(seconds).toBeLessThan(3);
    await h.engine.dispatch(runId, { kind: "rollback", actor: { id: rm.id, name: rm.name, role: rm.role }, reason: "end of test" });
  }, 120_000);
});
