// Relative imports (not "@/"): the service test loads this route as it is, without Next's aliases.
import { requireUser } from "../../../server/auth/session";
import { db } from "../../../server/db/client";
import { toCsv } from "../../../server/http/csv";
import { json, route } from "../../../server/http/route";
import { chainHeadHeader, exportAuditTrail } from "../../../server/services/audit-chain";
import { listAudit } from "../../../server/services/services-and-environments";

export const dynamic = "force-dynamic";

/** Entries in the list and in each export: the newest ones. */
const LIMIT = 1000;

/**
 * The audit trail, newest first. `?format=csv` and `?format=json` export it for an auditor:
 * oldest first with each entry's prevHash and hash, and the chain head (the newest entry's id and
 * hash) in `X-Audit-Chain-Head` (and, in JSON, `chain`), so a copy can be checked on its own and
 * against the live trail later.
 */
export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  const format = new URL(req.url).searchParams.get("format");
  if (format === "csv" || format === "json") {
    const exported = await exportAuditTrail(db(), { limit: LIMIT });
    const headers = { "x-audit-chain-head": chainHeadHeader(exported.chain.head), "content-disposition": `attachment; filename="flightdeck-audit.${format}"` };
    if (format === "json") return json(exported, 200, headers);
    const csv = toCsv(
      ["id", "at", "actorId", "actor", "role", "action", "run", "summary", "detail", "prevHash", "hash"],
      exported.entries.map((e) => [e.id, e.at, e.actorId, e.actorName, e.actorRole, e.action, e.runId, e.summary, e.detailText, e.prevHash, e.hash]),
    );
    return new Response(csv, { headers: { ...headers, "content-type": "text/csv; charset=utf-8" } });
  }
  return json(await listAudit(db(), { limit: LIMIT }));
});
