import protobuf from "protobufjs";
import { z } from "zod";

/**
 * OTLP/HTTP metrics bodies: the binary protobuf ExportMetricsServiceRequest and its JSON
 * encoding, both read into one shape and validated by one zod schema.
 *
 * Why embedded definitions: @opentelemetry/otlp-transformer (0.223) no longer ships generated
 * protobufjs code — it writes requests with its own encoder and decodes only the response — so
 * there is no upstream request decoder to reuse. Below is the subset of
 * opentelemetry-proto v1.5.0 (opentelemetry/proto/collector/metrics/v1/metrics_service.proto,
 * metrics/v1/metrics.proto, common/v1/common.proto, resource/v1/resource.proto) the receiver
 * reads, with the upstream field numbers and types. Messages and fields left out (gauges, sums,
 * summaries, exemplars, scope attributes) are skipped by the decoder as unknown fields, which is
 * exactly what a receiver that does not use them should do. google.rpc.Status is from
 * googleapis google/rpc/status.proto (details left out).
 */
const OTLP_METRICS_PROTO = `
syntax = "proto3";
package otlp;

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message Status { int32 code = 1; string message = 2; }

message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message InstrumentationScope { string name = 1; string version = 2; }

message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
}

message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data { Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; }
}
// aggregation_temporality is the enum AggregationTemporality upstream; int32 is the same varint on the wire.
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }

message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  uint32 flags = 10;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  sint32 scale = 6;
  fixed64 zero_count = 7;
  Buckets positive = 8;
  uint32 flags = 10;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
}
`;

const root = protobuf.parse(OTLP_METRICS_PROTO, { keepCase: false }).root;
const RequestType = root.lookupType("otlp.ExportMetricsServiceRequest");
const ResponseType = root.lookupType("otlp.ExportMetricsServiceResponse");
const StatusType = root.lookupType("otlp.Status");

/** OTLP's AggregationTemporality: DELTA = 1, CUMULATIVE = 2 (0 is unspecified and unusable). */
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;

/**
 * A 64-bit count or timestamp: OTLP JSON writes int64 as a decimal string (or a number), the
 * protobuf decoder hands strings. Counts beyond 2^53 cannot be exact and no real export has them.
 */
const ZUint64 = z
  .union([z.string().regex(/^\d{1,20}$/, "Expected a whole number"), z.number().int().min(0)])
  .transform((v) => (typeof v === "string" ? Number(v) : v))
  .refine((n) => Number.isSafeInteger(n), "Too large");
/** Timestamps stay exact as strings: they only identify a stream's start, never add up. */
const ZTimestamp = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().min(0)]).transform(String);
const ZInt = z.union([z.number().int(), z.string().regex(/^-?\d{1,10}$/).transform(Number)]);
/** A double; the JSON encoding may spell the special values as strings. */
const ZDouble = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"]).transform(Number)]);

const ZAnyValue = z.looseObject({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: ZDouble.optional(),
});
const ZKeyValue = z.looseObject({ key: z.string(), value: ZAnyValue.optional() });
const ZAttributes = z.array(ZKeyValue).default([]);

const ZHistogramPoint = z.looseObject({
  attributes: ZAttributes,
  startTimeUnixNano: ZTimestamp.default("0"),
  timeUnixNano: ZTimestamp.default("0"),
  count: ZUint64.default(0),
  sum: ZDouble.optional(),
  bucketCounts: z.array(ZUint64).default([]),
  explicitBounds: z.array(ZDouble).default([]),
});
const ZExponentialPoint = z.looseObject({
  attributes: ZAttributes,
  startTimeUnixNano: ZTimestamp.default("0"),
  timeUnixNano: ZTimestamp.default("0"),
  count: ZUint64.default(0),
  sum: ZDouble.optional(),
  scale: ZInt.default(0),
  zeroCount: ZUint64.default(0),
  positive: z.looseObject({ offset: ZInt.default(0), bucketCounts: z.array(ZUint64).default([]) }).optional(),
});
const ZTemporality = z.union([z.number().int(), z.enum(["AGGREGATION_TEMPORALITY_DELTA", "AGGREGATION_TEMPORALITY_CUMULATIVE"]).transform((s) => (s.endsWith("DELTA") ? 1 : 2))]);

const ZMetric = z.looseObject({
  name: z.string().default(""),
  unit: z.string().default(""),
  histogram: z.looseObject({ dataPoints: z.array(ZHistogramPoint).default([]), aggregationTemporality: ZTemporality.default(0) }).optional(),
  exponentialHistogram: z.looseObject({ dataPoints: z.array(ZExponentialPoint).default([]), aggregationTemporality: ZTemporality.default(0) }).optional(),
});

/** The part of an ExportMetricsServiceRequest the receiver reads; other fields pass unread (OTLP: receivers ignore what they do not know). */
export const ZExportMetricsRequest = z.looseObject({
  resourceMetrics: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes: ZAttributes }).optional(),
        scopeMetrics: z.array(z.looseObject({ metrics: z.array(ZMetric).default([]) })).default([]),
      }),
    )
    .default([]),
});
export type TExportMetricsRequest = z.infer<typeof ZExportMetricsRequest>;
export type TKeyValue = z.infer<typeof ZKeyValue>;
export type THistogramPoint = z.infer<typeof ZHistogramPoint>;
export type TExponentialPoint = z.infer<typeof ZExponentialPoint>;

/** Why a body could not be read (a 400 with this message). */
export class OtlpDecodeError extends Error {}

function validated(value: unknown): TExportMetricsRequest {
  const result = ZExportMetricsRequest.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new OtlpDecodeError(`Not an ExportMetricsServiceRequest: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid"}`);
  }
  return result.data;
}

/** A binary protobuf ExportMetricsServiceRequest. */
export function decodeProtobufRequest(bytes: Uint8Array): TExportMetricsRequest {
  let message: protobuf.Message;
  try {
    message = RequestType.decode(bytes);
  } catch (e) {
    throw new OtlpDecodeError(`Not a protobuf ExportMetricsServiceRequest (${e instanceof Error ? e.message : "undecodable"})`);
  }
  // Longs as decimal strings, like the JSON encoding, so both go through the same schema.
  return validated(RequestType.toObject(message, { longs: String, enums: Number, defaults: false, arrays: true, oneofs: false }));
}

/** An ExportMetricsServiceRequest in OTLP's JSON encoding (lowerCamelCase fields, int64 as strings or numbers). */
export function decodeJsonRequest(text: string): TExportMetricsRequest {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new OtlpDecodeError("The body is not JSON");
  }
  return validated(value);
}

/** The answer to an export: empty when every data point was taken, else partial_success. */
export type ExportResult = { rejectedDataPoints: number; errorMessage: string };

export function encodeProtobufResponse(r: ExportResult): Uint8Array<ArrayBuffer> {
  const body = r.rejectedDataPoints > 0 || r.errorMessage ? { partialSuccess: { rejectedDataPoints: r.rejectedDataPoints, errorMessage: r.errorMessage } } : {};
  return new Uint8Array(ResponseType.encode(ResponseType.fromObject(body)).finish());
}

export function encodeJsonResponse(r: ExportResult): string {
  // OTLP JSON: int64 as a decimal string.
  return JSON.stringify(r.rejectedDataPoints > 0 || r.errorMessage ? { partialSuccess: { rejectedDataPoints: String(r.rejectedDataPoints), errorMessage: r.errorMessage } } : {});
}

/** OTLP/HTTP error bodies are a google.rpc.Status in the request's encoding (code: the gRPC code). */
export function encodeProtobufStatus(code: number, message: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(StatusType.encode(StatusType.fromObject({ code, message })).finish());
}
