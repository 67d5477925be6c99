import type { Db } from "./client.ts";

/** A running process as it announces itself in `server_instance`. */
export type InstanceKind = "dashboard" | "router";

/** Says this instance is alive (creates its row on the first beat). */
export async function heartbeatInstance(db: Db, id: string, kind: InstanceKind, address: string): Promise<void> {
  await db.$executeRaw`INSERT INTO "server_instance" ("id", "kind", "address", "startedAt", "heartbeatAt") VALUES (${id}, ${kind}, ${address}, now(), now())
    ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = now(), "address" = EXCLUDED."address"`;
}

/** Removes this instance's row on a clean shutdown. */
export async function removeInstance(db: Db, id: string): Promise<void> {
  await db.serverInstance.deleteMany({ where: { id } });
}

/** Drops rows of instances silent for longer than `silentMs` (killed, never shut down). */
export async function pruneSilentInstances(db: Db, silentMs: number): Promise<number> {
  return db.$executeRaw`DELETE FROM "server_instance" WHERE "heartbeatAt" < now() - make_interval(secs => ${silentMs / 1000})`;
}

/** Instances that beat within `withinMs`, oldest first. */
export async function liveInstances(db: Db, withinMs: number): Promise<{ id: string; kind: string; address: string; heartbeatAt: Date }[]> {
  return db.$queryRaw`SELECT "id", "kind", "address", "heartbeatAt" FROM "server_instance" WHERE "heartbeatAt" >= now() - make_interval(secs => ${withinMs / 1000}) ORDER BY "startedAt"`;
}
