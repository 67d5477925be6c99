import { ZodError, type z } from "zod";
import { AppError, toPublicError, type ErrorCode } from "../errors.ts";
import type { Problem } from "../contracts/api-v1.ts";

/**
 * The HTTP API v1's error answers: RFC 9457 problem details (`application/problem+json`), one
 * shape for every route, with the fields at fault under `errors`. `type` is a relative URI that
 * resolves to the problem's entry on the API reference page.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The title of each problem type (what the status means here, not what went wrong this time). */
export const PROBLEM_TITLES: Record<ErrorCode, string> = {
  BAD_REQUEST: "Invalid request",
  UNAUTHENTICATED: "Authentication required",
  FORBIDDEN: "Not allowed",
  NOT_FOUND: "Not found",
  CONFLICT: "Conflict with the run's state",
  GONE: "No longer available",
  PAYLOAD_TOO_LARGE: "Request body too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  UNPROCESSABLE: "Idempotency key reused with another request",
  TOO_MANY_REQUESTS: "Too many requests",
  UNAVAILABLE: "Temporarily unavailable",
  INTERNAL: "Internal error",
};

/** Where a problem type is described (the reference page's anchor). */
export const problemType = (code: ErrorCode) => `/api/v1/docs#problem-${code.toLowerCase().replaceAll("_", "-")}`;

/** A zod failure's messages per field; unknown fields are named one by one ("Unknown field"). */
export function problemErrors(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) (out[[...issue.path, key].join(".")] ??= []).push("Unknown field");
      continue;
    }
    (out[issue.path.join(".") || "body"] ??= []).push(issue.message);
  }
  return out;
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...headers } });
}

/** Anything thrown, as a problem: AppErrors say their safe message, validation lists fields, the rest is a generic 500. */
export function toProblem(e: unknown, instance?: string): Problem {
  if (e instanceof ZodError) {
    return { type: problemType("BAD_REQUEST"), title: PROBLEM_TITLES.BAD_REQUEST, status: 400, code: "BAD_REQUEST", detail: "The request has invalid fields; see errors.", errors: problemErrors(e), ...(instance ? { instance } : {}) };
  }
  const pub = toPublicError(e);
  return {
    type: problemType(pub.code),
    title: PROBLEM_TITLES[pub.code],
    status: pub.status,
    code: pub.code,
    detail: pub.message,
    ...(pub.fieldErrors ? { errors: pub.fieldErrors } : {}),
    ...(instance ? { instance } : {}),
  };
}

/**
 * Wraps an API v1 route handler: anything thrown becomes problem details with the right status.
 * The server never crashes on input, and never sends a raw exception message.
 */
export function apiRoute<A extends [Request, ...unknown[]]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (e) {
      let path: string | undefined;
      try {
        path = new URL(args[0].url).pathname;
      } catch {
        path = undefined;
      }
      const problem = toProblem(e, path);
      // 401 tells the client how to authenticate (RFC 9110 §11.6.1). After a 413 the rest of the
      // body is still on the wire, unread: the connection must not carry another request.
      const headers: Record<string, string> = problem.status === 401 ? { "www-authenticate": 'Bearer realm="flightdeck"' } : problem.status === 413 ? { connection: "close" } : {};
      return problemResponse(problem, headers);
    }
  };
}

/** JSON response for the API (application/json, never cached). */
export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/**
 * A request body as text, refusing more than `maxBytes` (413) before it is all in memory: the
 * declared length is checked first, then the stream is cut off as soon as it passes the limit.
 */
export async function readLimitedBody(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", { message: `body over ${maxBytes} bytes`, userMessage: `Request body too large (at most ${maxBytes} bytes).` });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/**
 * A JSON request body validated by `schema`: 415 unless it is sent as application/json, 413 over
 * `maxBytes`, 400 for bad JSON or invalid fields (each named). Returns the parsed value and the
 * raw text (idempotency compares requests by it).
 */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S, maxBytes: number): Promise<{ value: z.infer<S>; raw: unknown }> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: `content-type ${type.slice(0, 60)}`, userMessage: "Send the body as JSON (Content-Type: application/json)." });
  }
  const text = await readLimitedBody(req, maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", { message: "invalid JSON", userMessage: "The body is not valid JSON." });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw parsed.error;
  return { value: parsed.data, raw };
}
