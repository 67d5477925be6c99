import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;
/** A transaction handle, for repository functions that must join the caller's transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const store = globalThis as unknown as { __flightdeckDb?: { url: string; client: PrismaClient } };

/**
 * The one PrismaClient of this process, cached on globalThis so the custom server and Next's
 * bundles (which load this module a second time) share one connection pool.
 */
export function connectDb(url: string): PrismaClient {
  if (store.__flightdeckDb && store.__flightdeckDb.url === url) return store.__flightdeckDb.client;
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  store.__flightdeckDb = { url, client };
  return client;
}

/** The process's database client; main.ts (or a test harness) connects it first. */
export function db(): PrismaClient {
  if (!store.__flightdeckDb) throw new Error("Database not connected: connectDb() must run first");
  return store.__flightdeckDb.client;
}

export async function disconnectDb(): Promise<void> {
  const current = store.__flightdeckDb;
  store.__flightdeckDb = undefined;
  if (current) await current.client.$disconnect();
}
