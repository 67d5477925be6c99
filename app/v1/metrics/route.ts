import { otlpMetricsRoute } from "@/server/adapters/metrics/otlp-route";

export const dynamic = "force-dynamic";

/** OTLP/HTTP metrics (OpenTelemetry's default path): protobuf or JSON, Bearer token with metrics:write. See README, "OpenTelemetry". */
export const POST = otlpMetricsRoute;
