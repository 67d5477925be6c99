import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../errors.ts";
import { PROBLEM_TITLES, problemType } from "../http/problem.ts";
import { ZMetricsBatch, ZSignalInput } from "../services/ingest.ts";
import { ZIdempotencyKey } from "../services/api-runs.ts";
import { API_RUN_EVENTS, ZApiCommandBody, ZApiCommandResult, ZApiCreateRunBody, ZApiRun, ZApiRunList, ZApiRunListQuery, ZApiRunRef, ZProblem } from "./api-v1.ts";

/**
 * The HTTP API v1 as an OpenAPI 3.1 document, built from the zod schemas the routes validate
 * with (zod 4's JSON Schema output): requests in their input form (defaults optional), responses
 * in their output form. Served at /api/v1/openapi.json and rendered at /api/v1/docs; a service
 * test compares it with the released snapshot (openapi.released.json) using the QA agent's own
 * OpenAPI compatibility check, so a breaking change fails CI.
 */

/** The API's version: bump the minor for additions, the major (and the path) for breaking changes. */
export const API_VERSION = "1.0.0";

type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema object. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Each error status a route can answer, as problem details. */
function problems(...codes: ErrorCode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const code of codes) {
    out[String(ERROR_STATUS[code])] = { description: `${PROBLEM_TITLES[code]} (problem type ${problemType(code)})`, content: { "application/problem+json": { schema: ref("Problem") } } };
  }
  return out;
}

const json = (schema: unknown) => ({ "application/json": { schema } });
const bearer = [{ bearer: [] }];
const refParam = { name: "ref", in: "path", required: true, description: "The run's id (UUID) or number (42).", schema: schemaOf(ZApiRunRef, "input") };

/** Query parameters from an object schema, one per property. */
function queryParams(schema: z.ZodObject): unknown[] {
  const js = schemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    ...(typeof s.description === "string" ? { description: s.description } : {}),
    schema: s,
  }));
}

/** The whole document (a fresh object each call). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const runEventsDescription = [
    "Server-Sent Events for one run (`text/event-stream`). Each event has `event:` (its type) and `data:` (one line of JSON);",
    "events that carry a run sequence number have `id:` = that number, the same one the dashboard's socket carries.",
    "Resume with `Last-Event-ID: n` (or `?after=n`): when anything happened after n, the stream first sends the run's current state as one `run.changed` (the server does not keep every event), then live events.",
    "A comment line `: keep-alive` every 15 s. `run.finished` ends the stream.",
    "",
    ...Object.entries(API_RUN_EVENTS).map(([type, what]) => `- \`${type}\`: ${what}`),
  ].join("\n");
  return {
    openapi: "3.1.0",
    info: {
      title: "Flightdeck API",
      version: API_VERSION,
      summary: "Create, follow and command release runs from CI; send metrics and security signals.",
      description:
        "Authenticate with `Authorization: Bearer fd_…` (an API token from Settings or `flightdeck admin token create`). Each operation needs exactly one scope (`x-flightdeck-scope`); no scope implies another. A token acts under its own identity with its role, optionally limited to services and environments (403 outside them). Errors are RFC 9457 problem details (`application/problem+json`).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    paths: {
      "/api/v1/runs": {
        post: {
          operationId: "createRun",
          summary: "Create and start a run",
          description:
            "Creates a run releasing `version` of `service` to `environment`, with the service's current version as baseline, and starts it. Omitted strategy, risk and compliance default to canary, medium and none. With an `Idempotency-Key`, a retry with the same key and body answers 200 with the same run and `Idempotent-Replay: true`, never a second run; the same key with another body is 422.",
          tags: ["runs"],
          security: bearer,
          "x-flightdeck-scope": "runs:write",
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, description: "Makes retries safe: 1–200 visible ASCII characters, unique per request you mean.", schema: schemaOf(ZIdempotencyKey, "input") }],
          requestBody: { required: true, content: json(ref("CreateRun")) },
          responses: {
            "201": { description: "Created and started", headers: { Location: { description: "The run's API address", schema: { type: "string" } } }, content: json(ref("Run")) },
            "200": {
              description: "A replay: the run this Idempotency-Key created earlier",
              headers: { "Idempotent-Replay": { description: "true", schema: { type: "string", const: "true" } }, Location: { description: "The run's API address", schema: { type: "string" } } },
              content: json(ref("Run")),
            },
            ...problems("BAD_REQUEST", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "UNPROCESSABLE"),
          },
        },
        get: {
          operationId: "listRuns",
          summary: "List runs, newest first",
          tags: ["runs"],
          security: bearer,
          "x-flightdeck-scope": "runs:read",
          parameters: queryParams(ZApiRunListQuery),
          responses: { "200": { description: "Runs within the token's limits", content: json(ref("RunList")) }, ...problems("BAD_REQUEST", "UNAUTHENTICATED", "FORBIDDEN") },
        },
      },
      "/api/v1/runs/{ref}": {
        get: {
          operationId: "getRun",
          summary: "One run",
          tags: ["runs"],
          security: bearer,
          "x-flightdeck-scope": "runs:read",
          parameters: [refParam],
          responses: { "200": { description: "The run", content: json(ref("Run")) }, ...problems("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND") },
        },
      },
      "/api/v1/runs/{ref}/commands": {
        post: {
          operationId: "commandRun",
          summary: "Send a command to a run",
          description: "approve, reject, waive, confirmWeight, pause, resume, promote, rollback or abort, checked against the token's role like a person's and audited as the token's identity. 409 when the run's state refuses it.",
          tags: ["runs"],
          security: bearer,
          "x-flightdeck-scope": "runs:write",
          parameters: [refParam],
          requestBody: { required: true, content: json(ref("Command")) },
          responses: { "200": { description: "Accepted", content: json(ref("CommandResult")) }, ...problems("BAD_REQUEST", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE") },
        },
      },
      "/api/v1/runs/{ref}/events": {
        get: {
          operationId: "runEvents",
          summary: "Follow a run live (Server-Sent Events)",
          description: runEventsDescription,
          tags: ["runs"],
          security: bearer,
          "x-flightdeck-scope": "runs:read",
          parameters: [
            refParam,
            { name: "Last-Event-ID", in: "header", required: false, description: "The last `id` received; resume after it.", schema: { type: "string", pattern: "^\\d{1,10}$" } },
            { name: "after", in: "query", required: false, description: "Like Last-Event-ID, for clients that cannot set headers.", schema: { type: "string", pattern: "^\\d{1,10}$" } },
          ],
          responses: {
            "200": {
              description: "The event stream",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            ...problems("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"),
          },
          "x-flightdeck-events": Object.fromEntries(
            Object.entries(API_RUN_EVENTS).map(([type, what]) => [type, { description: what, ...(type === "run.changed" || type === "run.finished" ? { data: ref("Run") } : {}) }]),
          ),
        },
      },
      "/api/v1/metrics": {
        post: {
          operationId: "pushMetrics",
          summary: "Send metric samples for a rolling-out run",
          description: "At most 10,000 samples and 1 MiB; validated whole, then applied whole.",
          tags: ["ingest"],
          security: bearer,
          "x-flightdeck-scope": "metrics:write",
          requestBody: { required: true, content: json(ref("MetricsBatch")) },
          responses: {
            "202": { description: "Applied", content: json({ type: "object", properties: { accepted: { type: "integer" } }, required: ["accepted"] }) },
            ...problems("BAD_REQUEST", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE"),
          },
        },
      },
      "/api/v1/otlp/v1/metrics": {
        post: {
          operationId: "exportOtlpMetrics",
          summary: "OpenTelemetry metrics in (OTLP/HTTP); also served at /v1/metrics, the exporters' default path",
          description:
            "An OTLP ExportMetricsServiceRequest (opentelemetry-proto v1.5 metrics), protobuf or JSON, optionally gzip, at most 4 MiB. HTTP server duration histograms (explicit and exponential) of the run rolling out for the resource's service.name and deployment.environment feed its analysis; the side is the data point's service.version (or flightdeck.side); for a flag run, the variant the user was served (feature_flag.result.variant or feature_flag.variant, OpenTelemetry's feature-flag conventions): the run's new variant is the canary, any other variant the baseline. Answers follow the OTLP specification (ExportMetricsServiceResponse with partial_success; errors as google.rpc.Status), not problem details.",
          tags: ["ingest"],
          security: bearer,
          "x-flightdeck-scope": "metrics:write",
          requestBody: {
            required: true,
            content: {
              "application/x-protobuf": { schema: { type: "string", format: "binary", description: "opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest" } },
              "application/json": { schema: { type: "object", description: "ExportMetricsServiceRequest in OTLP's JSON encoding" } },
            },
          },
          responses: {
            "200": { description: "ExportMetricsServiceResponse; partial_success counts and explains the data points that fed nothing" },
            "400": { description: "Undecodable body (google.rpc.Status)" },
            "401": { description: "No or invalid token (google.rpc.Status)" },
            "403": { description: "Token without metrics:write (google.rpc.Status)" },
            "413": { description: "Body over 4 MiB, compressed or not (google.rpc.Status)" },
            "415": { description: "Neither protobuf nor JSON (google.rpc.Status)" },
          },
        },
      },
      "/api/v1/signals": {
        post: {
          operationId: "postSignal",
          summary: "Post a security signal; the run is rolled back",
          tags: ["ingest"],
          security: bearer,
          "x-flightdeck-scope": "signals:write",
          requestBody: { required: true, content: json(ref("Signal")) },
          responses: {
            "202": { description: "Recorded", content: json({ type: "object", properties: { accepted: { type: "boolean", const: true } }, required: ["accepted"] }) },
            ...problems("BAD_REQUEST", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE"),
          },
        },
      },
      "/api/v1/openapi.json": {
        get: {
          operationId: "openApiDocument",
          summary: "This document",
          tags: ["meta"],
          security: [],
          responses: { "200": { description: "The OpenAPI 3.1 document", content: json({ type: "object" }) } },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "fd_ followed by 43 base64url characters" } },
      schemas: {
        CreateRun: schemaOf(ZApiCreateRunBody, "input"),
        Run: schemaOf(ZApiRun, "output"),
        RunList: { type: "object", properties: { runs: { type: "array", items: ref("Run") } }, required: ["runs"] },
        Command: schemaOf(ZApiCommandBody, "input"),
        CommandResult: schemaOf(ZApiCommandResult, "output"),
        MetricsBatch: schemaOf(ZMetricsBatch, "input"),
        Signal: schemaOf(ZSignalInput, "input"),
        Problem: schemaOf(ZProblem, "output"),
      },
    },
    tags: [
      { name: "runs", description: "Release runs" },
      { name: "ingest", description: "Metrics and security signals from outside Flightdeck" },
      { name: "meta", description: "About the API" },
    ],
  };
}

/** The schemas the routes validate with, by component name (the test checks each against the document). */
export const VALIDATED_SCHEMAS = { CreateRun: ZApiCreateRunBody, Command: ZApiCommandBody, MetricsBatch: ZMetricsBatch, Signal: ZSignalInput, RunList: ZApiRunList } as const;
