import { gunzipSync } from "node:zlib";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { runsInRollout } from "../db/run-repository.ts";
import { AppError, toPublicError } from "../errors.ts";
import type { MetricsAggregator } from "../metrics/aggregator.ts";
import type { MetricsForwarder } from "../metrics/metrics-forwarder.ts";
import { authenticateToken, type AuthenticatedToken } from "../services/api-tokens.ts";
import { decodeJsonRequest, decodeProtobufRequest, encodeJsonResponse, encodeProtobufResponse, encodeProtobufStatus, OtlpDecodeError } from "../adapters/metrics/otlp-codec.ts";
import { CumulativeStreams, receiveMetrics, type OtlpRun } from "../adapters/metrics/otlp-receiver.ts";

/**
 * The OTLP/HTTP metrics receiver (`POST /v1/metrics`, OTLP's default path, and
 * `/api/v1/otlp/v1/metrics`): an OpenTelemetry SDK or Collector exporting to Flightdeck's base URL
 * with `Authorization: Bearer fd_…` (metrics:write) feeds the analysis of the run rolling out for
 * its service. Per the OTLP/HTTP specification: protobuf or JSON, optionally gzip; 200 with an
 * ExportMetricsServiceResponse in the request's encoding (partial_success names what was
 * rejected and why); errors as a google.rpc.Status in that encoding with 400 (undecodable),
 * 401/403 (token), 413 (too large), 415 (unknown content type or encoding), 503 (retry later).
 */

/** Largest body, compressed and once decompressed: a 60 s export of a few hundred streams is far below. */
export const MAX_OTLP_BODY_BYTES = 4 * 1024 * 1024;

/** The cumulative streams' previous values, one per process (Next bundles each route apart: kept on globalThis, like the app context). */
const store = globalThis as unknown as { __flightdeckOtlpStreams?: CumulativeStreams };
const streams = () => (store.__flightdeckOtlpStreams ??= new CumulativeStreams());

type Encoding = "protobuf" | "json";

/** gRPC status codes for the Status body (OTLP/HTTP reuses them). */
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 8, 415: 3, 429: 8, 503: 14 };

function errorResponse(status: number, message: string, encoding: Encoding, headers: Record<string, string> = {}): Response {
  const code = GRPC_CODE[status] ?? 13;
  const body = encoding === "protobuf" ? encodeProtobufStatus(code, message) : JSON.stringify({ code, message });
  return new Response(body, { status, headers: { "content-type": encoding === "protobuf" ? "application/x-protobuf" : "application/json", "cache-control": "no-store", ...headers } });
}

const fail = (code: "BAD_REQUEST" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE", userMessage: string) => new AppError(code, { message: `otlp: ${userMessage}`, userMessage });

/** The request's body as bytes, cut off (413) as soon as it passes the limit. */
async function readBytes(req: Request): Promise<Buffer> {
  const tooLarge = () => fail("PAYLOAD_TOO_LARGE", `Body over ${MAX_OTLP_BODY_BYTES} bytes`);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_OTLP_BODY_BYTES) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > MAX_OTLP_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(r.value);
  }
  return Buffer.concat(chunks, size);
}

/** The body with its Content-Encoding undone; a gzip bomb stops at the limit (413). */
function decompress(body: Buffer, contentEncoding: string | null): Buffer {
  const enc = (contentEncoding ?? "identity").trim().toLowerCase();
  if (enc === "identity" || enc === "") return body;
  if (enc !== "gzip") throw fail("UNSUPPORTED_MEDIA_TYPE", `Content-Encoding ${enc} is not supported (gzip or none)`);
  try {
    return gunzipSync(body, { maxOutputLength: MAX_OTLP_BODY_BYTES });
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw fail("PAYLOAD_TOO_LARGE", `Body over ${MAX_OTLP_BODY_BYTES} bytes once decompressed`);
    throw fail("BAD_REQUEST", "The body is not valid gzip");
  }
}

/** Runs in their rollout within the token's limits, and whether the analysis watches them (the aggregator counts for it). */
async function feedableRuns(aggregator: MetricsAggregator, forwarder: MetricsForwarder | undefined, token: AuthenticatedToken): Promise<OtlpRun[]> {
  const rows = (await runsInRollout(db())).filter(
    (r) => (token.services.length === 0 || token.services.includes(r.state.params.service)) && (token.environments.length === 0 || token.environments.includes(r.state.params.environment)),
  );
  // With several instances, a run another instance analyses is fed too: the forwarder's sink sends it there.
  const elsewhere = await Promise.all(rows.map((r) => (aggregator.watching(r.id) || !forwarder ? false : forwarder.analysedElsewhere(r.id))));
  return rows.map((r, i) => ({
      id: r.id,
      analysed: aggregator.watching(r.id) || elsewhere[i] === true,
      service: r.state.params.service,
      environment: r.state.params.environment,
      baselineVersion: r.state.params.baselineVersion,
      targetVersion: r.state.params.targetVersion,
      flagVariant: r.state.params.flag?.variant ?? null,
      startedAt: r.state.startedAt,
    }));
}

export async function otlpMetricsRoute(req: Request): Promise<Response> {
  const mime = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const encoding: Encoding | null = mime === "application/x-protobuf" ? "protobuf" : mime === "application/json" ? "json" : null;
  try {
    if (!encoding) throw fail("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/x-protobuf or application/json");
    const token = await authenticateToken(db(), req.headers.get("authorization"), "metrics:write");
    const body = decompress(await readBytes(req), req.headers.get("content-encoding"));
    const request = encoding === "protobuf" ? decodeProtobufRequest(body) : decodeJsonRequest(body.toString("utf8"));
    const { aggregator, forwarder } = appContext();
    const result = await receiveMetrics(request, { runs: () => feedableRuns(aggregator, forwarder, token), sink: forwarder?.sink ?? aggregator, streams: streams(), now: Date.now() });
    return encoding === "protobuf"
      ? new Response(encodeProtobufResponse(result), { status: 200, headers: { "content-type": "application/x-protobuf", "cache-control": "no-store" } })
      : new Response(encodeJsonResponse(result), { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
  } catch (e) {
    const pub = e instanceof OtlpDecodeError ? { status: 400, message: e.message } : toPublicError(e);
    if (pub.status >= 500 && pub.status !== 503) console.error("[flightdeck] otlp metrics", e);
    // 401 says how to authenticate; after a 413 the rest of the body is unread, so the connection closes.
    const headers: Record<string, string> = pub.status === 401 ? { "www-authenticate": 'Bearer realm="flightdeck"' } : pub.status === 413 ? { connection: "close" } : {};
    return errorResponse(pub.status, pub.message, encoding ?? "json", headers);
  }
}
