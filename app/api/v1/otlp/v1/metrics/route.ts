import { otlpMetricsRoute } from "@/server/http/otlp-route";

export const dynamic = "force-dynamic";

/** The OTLP/HTTP metrics receiver under the API's prefix (base URL …/api/v1/otlp); the same as /v1/metrics. */
export const POST = otlpMetricsRoute;
