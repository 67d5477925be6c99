import { db } from "@/server/db/client";
import { appContext } from "@/server/context";
import { json, route } from "@/server/http/route";
import { authenticateToken } from "@/server/services/api-tokens";
import { applyMetricsBatch, MAX_METRICS_BODY_BYTES, parseMetricsBatch, readBodyText } from "@/server/services/ingest";

export const dynamic = "force-dynamic";

/**
 * Metric ingest for services and load balancers that Flightdeck's router does not see:
 * `Authorization: Bearer fd_…` with metrics:write, body `{ runId, samples }` (≤ 1 MiB,
 * ≤ 10,000 samples). The batch is validated whole, then applied whole: 202 `{ accepted }`;
 * 400 with the reasons, 404 unknown run, 409 run not rolling out, 413 body too large.
 */
export const POST = route(async (req: Request) => {
  await authenticateToken(db(), req.headers.get("authorization"), "metrics:write");
  const batch = parseMetricsBatch(await readBodyText(req, MAX_METRICS_BODY_BYTES));
  return json(await applyMetricsBatch(db(), appContext().aggregator, batch), 202);
});
