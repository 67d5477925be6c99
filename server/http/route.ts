import { ZodError } from "zod";
import { toPublicError } from "../errors.ts";
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
