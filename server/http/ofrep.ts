import { evaluateFlag, FLAG_KEY, murmur3, parseOfrepContext } from "../core/flags.ts";
import type { FlagCache } from "../services/flags.ts";

/**
 * OFREP (OpenFeature Remote Evaluation Protocol) over a base URL per service and environment:
 *   POST {base}/ofrep/v1/evaluate/flags/{key}   one flag
 *   POST {base}/ofrep/v1/evaluate/flags         all flags, ETag / If-None-Match → 304
 * with base = /api/flags/<service>/<environment>. Reads are public, like a client-side SDK key:
 * a flag's value is what every visitor's browser sees anyway, and the page's web provider cannot
 * hold a secret. Writes (variants, rollouts) go through Settings and runs, never here.
 */

const HEADERS = { "content-type": "application/json", "cache-control": "no-store" };
const out = (body: unknown, status = 200, extra: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { ...HEADERS, ...extra } });

async function readBody(req: Request): Promise<{ ok: true; body: unknown } | { ok: false }> {
  const text = await req.text();
  if (text.trim() === "") return { ok: true, body: undefined };
  if (text.length > 64_000) return { ok: false };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export async function ofrepEvaluateOne(cache: FlagCache, req: Request, service: string, environment: string, key: string): Promise<Response> {
  if (!FLAG_KEY.test(key)) return out({ key: key.slice(0, 128), errorCode: "FLAG_NOT_FOUND", errorDetails: "Not a flag key" }, 404);
  const raw = await readBody(req);
  if (!raw.ok) return out({ key, errorCode: "PARSE_ERROR", errorDetails: "The request body is not JSON" }, 400);
  const ctx = parseOfrepContext(raw.body);
  if (!ctx.ok) return out({ key, errorCode: "INVALID_CONTEXT", errorDetails: ctx.details }, 400);
  const env = await cache.get(service, environment);
  if (!env.flags) return out({ key, errorCode: "FLAG_NOT_FOUND", errorDetails: `No environment "${environment}" of service "${service}"` }, 404);
  const flag = env.flags.get(key) ?? null;
  const r = evaluateFlag(flag, key, ctx.context, flag?.revision);
  return out(r.body, r.status);
}

export async function ofrepEvaluateAll(cache: FlagCache, req: Request, service: string, environment: string): Promise<Response> {
  const raw = await readBody(req);
  if (!raw.ok) return out({ errorCode: "PARSE_ERROR", errorDetails: "The request body is not JSON" }, 400);
  const ctx = parseOfrepContext(raw.body);
  if (!ctx.ok) return out({ errorCode: "INVALID_CONTEXT", errorDetails: ctx.details }, 400);
  const env = await cache.get(service, environment);
  if (!env.flags) return out({ errorCode: "GENERAL", errorDetails: `No environment "${environment}" of service "${service}"` }, 404);
  // The ETag covers the flags' revisions and the context: the same flags answer differently per user.
  const etag = `${env.etag.slice(0, -1)}-${hashContext(ctx.context)}"`;
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: { etag, "cache-control": "no-store" } });
  const flags = [...env.flags.values()].map((f) => evaluateFlag(f, f.key, ctx.context, f.revision).body);
  return out({ flags }, 200, { etag });
}

function hashContext(context: Record<string, unknown>): string {
  // Key order only changes the tag (one extra full answer), never the evaluation.
  return murmur3(JSON.stringify(context)).toString(36);
}
