import { db } from "@/server/db/client";
import { json } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** A database that does not answer within this long is reported down (a frozen one never answers). */
const DATABASE_CHECK_MS = 2_000;

/** Liveness and database reachability: 503 while PostgreSQL is unreachable or does not answer in time. */
export async function GET(): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), DATABASE_CHECK_MS);
  });
  try {
    const answer = await Promise.race([db().$queryRaw`SELECT 1`.then(() => "up" as const), timedOut]);
    if (answer === "timeout") return json({ ok: false, database: "not answering" }, 503);
    return json({ ok: true, database: "up" });
  } catch {
    return json({ ok: false, database: "down" }, 503);
  } finally {
    clearTimeout(timer);
  }
}
