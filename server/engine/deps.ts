import type { Db } from "../db/client.ts";
import type { AgentName } from "../core/types.ts";
import type { Publish } from "../realtime/event-map.ts";
import type { CheckRunner, Notifier, ReadRecordMaterial, RouteTarget, RunRollbackHook, TrafficRouter } from "./ports.ts";

/** What a dispatched event did, for the person or adapter that sent it. */
export type DispatchResult =
  | { ok: true; changed: boolean; note: string | null; status: string }
  | { ok: false; message: string; code: "NOT_FOUND" | "CONFLICT" };

/** What the engine needs from the outside world. */
export type EngineDeps = {
  db: Db;
  publish: Publish;
  clock: () => number;
  notifier: Notifier;
  /** the router serving a run's service and environment; null when none is running */
  routerFor: (kind: string, target: RouteTarget) => TrafficRouter | null;
  /** check runner for an agent, given the environment's configuration for it */
  checkRunnerFor: (agent: AgentName, config: unknown) => CheckRunner;
  /** per-check timeout */
  checkTimeoutMs: number;
  /** agents of one phase running at once (a load test and a browser share the machine); default 2 */
  checkConcurrency?: number;
  /** the two versions' own addresses in an environment, for `{canaryUrl}` / `{baselineUrl}` in check configs */
  upstreamsFor?: (service: string, environment: string) => { baselineUrl: string; canaryUrl: string } | null;
  /** how long a claimed effect stays leased without renewal (default 15 s) */
  effectLeaseMs?: number;
  /** runs a rollback hook (adapters/hooks/run-hook.ts) */
  runRollbackHook: RunRollbackHook;
  /** reads what the release record quotes from the service's files (adapters/checks/release-record-material.ts) */
  readRecordMaterial: ReadRecordMaterial;
  onError: (where: string, e: unknown) => void;
};
