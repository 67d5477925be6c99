import { otlpMetricsRoute } from "@/server/http/otlp-route";

export const dynamic = "force-dynamic";

/** OTLP/HTTP metrics (OpenTelemetry's default path): protobuf or JSON, Bearer token with metrics:write. See README, "OpenTelemetry". */
export const POST = otlpMetricsRoute;
