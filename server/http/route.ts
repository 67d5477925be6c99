import { ZodError } from "zod";
import { AppError, toPublicError } from "../errors.ts";
import { fieldErrors, ZRunId } from "../services/schemas.ts";

/** The `[id]` route parameter when it is a run id (a UUID), else null (answered as not found). */
export async function runIdParam(ctx: { params: Promise<{ id: string }> }): Promise<string | null> {
  const parsed = ZRunId.safeParse((await ctx.params).id);
  return parsed.success ? parsed.data : null;
}

/** JSON response helper for route handlers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/**
 * Wraps a route handler: anything thrown becomes a JSON error with the right status and a
 * message safe to show; validation errors list their fields. The server never crashes on input.
 */
export function route<A extends unknown[]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (e instanceof ZodError) return json({ error: "Invalid request", fieldErrors: fieldErrors(e) }, 400);
      const pub = toPublicError(e);
      return json({ error: pub.message, code: pub.code, ...(pub.fieldErrors ? { fieldErrors: pub.fieldErrors } : {}) }, pub.status);
    }
  };
}

/**
 * Cookie-authenticated mutations must come from our own pages: JSON only (another site's form can
 * post text/plain without a CORS preflight, never application/json) and, when the browser says
 * where the request comes from, the same origin. Bearer-token clients (scripts, CI) are exempt:
 * a token is never sent by a browser on its own.
 */
export function refuseCrossSite(req: Request): void {
  if (/^Bearer\s/i.test(req.headers.get("authorization") ?? "")) return;
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("BAD_REQUEST", { message: `cookie mutation with content-type ${type.slice(0, 60)}`, userMessage: "Send the request as JSON (Content-Type: application/json)." });
  }
  const origin = req.headers.get("origin");
  if (origin === null) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host === null || host !== req.headers.get("host")) {
    throw new AppError("FORBIDDEN", { message: `cross-site request from ${origin.slice(0, 100)}`, userMessage: "Cross-site request refused: send commands from Flightdeck's own pages or with an API token." });
  }
}
