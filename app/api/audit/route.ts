import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { toCsv } from "@/server/http/csv";
import { json, route } from "@/server/http/route";
import { listAudit } from "@/server/services/services-and-environments";

export const dynamic = "force-dynamic";

/** The audit trail, newest first (?format=csv exports it). */
export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  const url = new URL(req.url);
  const rows = await listAudit(db(), { limit: 1000 });
  if (url.searchParams.get("format") === "csv") {
    const csv = toCsv(["at", "actor", "role", "action", "run", "summary"], rows.map((r) => [r.at, r.actorName, r.actorRole, r.action, r.runId, r.summary]));
    return new Response(csv, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="flightdeck-audit.csv"' } });
  }
  return json(rows);
});
