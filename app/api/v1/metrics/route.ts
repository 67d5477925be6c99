import { metricsRoute } from "@/server/http/api-v1-ingest";

export const dynamic = "force-dynamic";

/** Metric samples for a rolling-out run (metrics:write). See /api/v1/docs. */
export const POST = metricsRoute;
