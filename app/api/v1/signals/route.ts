import { db } from "@/server/db/client";
import { appContext } from "@/server/context";
import { json, route } from "@/server/http/route";
import { authenticateToken } from "@/server/services/api-tokens";
import { MAX_SIGNAL_BODY_BYTES, parseSignal, readBodyText, recordSignal } from "@/server/services/ingest";

export const dynamic = "force-dynamic";

/**
 * A security signal (WAF, breach detection) against a rolling-out run: `Authorization: Bearer
 * fd_…` with signals:write, body `{ runId, source, message, severity? }`. Audited, then the
 * analysis rolls the run back. 202; 400 with the reasons, 404 unknown run, 409 not rolling out.
 */
export const POST = route(async (req: Request) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "signals:write");
  const input = parseSignal(await readBodyText(req, MAX_SIGNAL_BODY_BYTES));
  await recordSignal(db(), appContext().aggregator, token, input);
  return json({ accepted: true }, 202);
});
