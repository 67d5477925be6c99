import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { authenticateToken } from "../services/api-tokens.ts";
import { applyMetricsBatch, MAX_METRICS_BODY_BYTES, MAX_SIGNAL_BODY_BYTES, parseMetricsBatch, parseSignal, recordSignal } from "../services/ingest.ts";
import { apiJson, apiRoute, readLimitedBody } from "./problem.ts";

/**
 * Metric ingest for services and load balancers that Flightdeck's router does not see:
 * `Authorization: Bearer fd_…` with metrics:write, body `{ runId, samples }` (≤ 1 MiB,
 * ≤ 10,000 samples). The batch is validated whole, then applied whole: 202 `{ accepted }`;
 * 400 with the reasons, 404 unknown run, 409 run not rolling out, 413 body too large — as
 * problem details, like every API v1 error.
 */
export const metricsRoute = apiRoute(async (req: Request) => {
  await authenticateToken(db(), req.headers.get("authorization"), "metrics:write");
  const batch = parseMetricsBatch(await readLimitedBody(req, MAX_METRICS_BODY_BYTES));
  const ctx = appContext();
  return apiJson(await applyMetricsBatch(db(), ctx.aggregator, batch, ctx.forwarder), 202);
});

/**
 * A security signal (WAF, breach detection) against a rolling-out run: `Authorization: Bearer
 * fd_…` with signals:write, body `{ runId, source, message, severity? }`. Audited as the token's
 * identity, then the analysis rolls the run back. 202; 400 with the reasons, 404 unknown run,
 * 409 not rolling out.
 */
export const signalsRoute = apiRoute(async (req: Request) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "signals:write");
  const input = parseSignal(await readLimitedBody(req, MAX_SIGNAL_BODY_BYTES));
  const ctx = appContext();
  await recordSignal(db(), ctx.aggregator, token, input, Date.now(), ctx.forwarder);
  return apiJson({ accepted: true }, 202);
});
