import { db } from "@/server/db/client";
import { json } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Liveness and database reachability (503 while PostgreSQL is unreachable). */
export async function GET(): Promise<Response> {
  try {
    await db().$queryRaw`SELECT 1`;
    return json({ ok: true, database: "up" });
  } catch {
    return json({ ok: false, database: "down" }, 503);
  }
}
