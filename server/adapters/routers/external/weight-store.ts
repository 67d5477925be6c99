import { z } from "zod";
import type { Db } from "../../../db/client.ts";

/**
 * How the dashboard and a separate router process (`npm run router`) talk: through the database,
 * like any external router, so either side can restart without the other. Both records live in
 * `server_instance` (no table of their own, no migration):
 *
 * - a **desired weight** per routed place (`service/environment` or `service/environment@region`):
 *   row `router-weight:<place>`, kind `router-weight`, state `{ runId, percent, at }`, written by
 *   the dashboard's ExternalRouter when the engine moves traffic, and announced with a NOTIFY on
 *   `ROUTER_WEIGHT_CHANNEL` in the same statement (sent when the row commits, never before);
 * - a **router report** per router process: row `<its id>`, kind `router`, heartbeat every second,
 *   state `{ pid, routes: { <place>: { runId, percent, listening, at } } }` — what it applies now.
 */
export const ROUTER_WEIGHT_CHANNEL = "flightdeck_router_weights";
/** `server_instance.kind` of a desired-weight record. */
export const DESIRED_KIND = "router-weight";
/** `server_instance.kind` of a router process. */
export const ROUTER_KIND = "router";
/** A router process silent for longer than this is treated as gone: its weights are unknown (servedWeight null). */
export const ROUTER_STALE_MS = 5_000;

/** Where traffic is split: one environment, or one region of it. */
export type Place = { service: string; environment: string; region?: string };

/** `service/environment`, or `service/environment@region` (the router registry's own keys). */
export function placeKey(p: Place): string {
  return p.region ? `${p.service}/${p.environment}@${p.region}` : `${p.service}/${p.environment}`;
}

const ZPercent = z.number().min(0).max(100);

/** What the dashboard wants a place to serve. */
export const ZDesiredWeight = z.object({ runId: z.string().min(1), percent: ZPercent, at: z.string() });
export type DesiredWeight = z.infer<typeof ZDesiredWeight>;

/** What a router process serves at one place. `listening`: its URL, null when it is not listening. */
export const ZServedRoute = z.object({ runId: z.string().nullable(), percent: ZPercent, listening: z.string().nullable(), at: z.string() });
export type ServedRoute = z.infer<typeof ZServedRoute>;

/** A router process's report. */
export const ZRouterReport = z.object({ pid: z.number().int().optional(), routes: z.record(z.string(), ZServedRoute) });
export type RouterReport = z.infer<typeof ZRouterReport>;

const desiredId = (key: string) => `router-weight:${key}`;

/** Records the weight the dashboard wants at a place and wakes the router processes. */
export async function writeDesiredWeight(db: Db, key: string, weight: { runId: string; percent: number }): Promise<void> {
  const state = JSON.stringify(ZDesiredWeight.parse({ ...weight, at: new Date().toISOString() }));
  await db.$executeRaw`WITH written AS (
      INSERT INTO "server_instance" ("id", "kind", "address", "startedAt", "heartbeatAt", "state")
      VALUES (${desiredId(key)}, ${DESIRED_KIND}, '', now(), now(), ${state}::jsonb)
      ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = now(), "state" = EXCLUDED."state"
      RETURNING "id")
    SELECT pg_notify(${ROUTER_WEIGHT_CHANNEL}, ${key}) FROM written`;
}

/** Every desired weight, by place key. A record that does not parse is skipped (nothing is applied from it). */
export async function readDesiredWeights(db: Db): Promise<Map<string, DesiredWeight>> {
  const rows = await db.$queryRaw<{ id: string; state: unknown }[]>`SELECT "id", "state" FROM "server_instance" WHERE "kind" = ${DESIRED_KIND}`;
  const out = new Map<string, DesiredWeight>();
  for (const row of rows) {
    const parsed = ZDesiredWeight.safeParse(row.state);
    if (parsed.success) out.set(row.id.slice("router-weight:".length), parsed.data);
  }
  return out;
}

/** The desired weight at one place, or null when none was written (or it does not parse). */
export async function readDesiredWeight(db: Db, key: string): Promise<DesiredWeight | null> {
  const rows = await db.$queryRaw<{ state: unknown }[]>`SELECT "state" FROM "server_instance" WHERE "id" = ${desiredId(key)} AND "kind" = ${DESIRED_KIND}`;
  const parsed = ZDesiredWeight.safeParse(rows[0]?.state);
  return parsed.success ? parsed.data : null;
}

/**
 * A router process's heartbeat with what it serves. Also keeps the desired records of the places
 * it serves fresh: the dashboards prune rows silent for ten minutes, and a router restarting after
 * that would otherwise come back at 0% while no dashboard is up to tell it the weight again.
 */
export async function reportRouter(db: Db, id: string, address: string, report: RouterReport): Promise<void> {
  const state = JSON.stringify(report);
  const keys = Object.keys(report.routes).map(desiredId);
  await db.$transaction([
    db.$executeRaw`INSERT INTO "server_instance" ("id", "kind", "address", "startedAt", "heartbeatAt", "state") VALUES (${id}, ${ROUTER_KIND}, ${address}, now(), now(), ${state}::jsonb)
      ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = now(), "address" = EXCLUDED."address", "state" = EXCLUDED."state"`,
    db.$executeRaw`UPDATE "server_instance" SET "heartbeatAt" = now() WHERE "kind" = ${DESIRED_KIND} AND "id" = ANY(${keys}::text[])`,
  ]);
}

/** Removes a router process's row (a clean stop): the dashboards see its places as unserved at once. */
export async function removeRouterReport(db: Db, id: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "server_instance" WHERE "id" = ${id} AND "kind" = ${ROUTER_KIND}`;
}

/** What the live router processes (heartbeat within ROUTER_STALE_MS) serve at a place, one entry per process. */
export async function servedRoutes(db: Db, key: string, staleMs = ROUTER_STALE_MS): Promise<ServedRoute[]> {
  const rows = await db.$queryRaw<{ route: unknown }[]>`SELECT "state"->'routes'->${key} AS "route" FROM "server_instance"
    WHERE "kind" = ${ROUTER_KIND} AND "heartbeatAt" >= now() - make_interval(secs => ${staleMs / 1000}) AND "state"->'routes'->${key} IS NOT NULL`;
  const out: ServedRoute[] = [];
  for (const row of rows) {
    const parsed = ZServedRoute.safeParse(row.route);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}
