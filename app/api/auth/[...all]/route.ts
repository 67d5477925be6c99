import { getAuth } from "@/server/auth/auth";
import { db } from "@/server/db/client";
import { toPublicError } from "@/server/errors";
import { CLIENT_ADDRESS_HEADER } from "@/server/http/client-address";
import { guardSignIn, recordSignIn } from "@/server/services/sign-in-guard";

export const dynamic = "force-dynamic";

// Better Auth's own endpoints (sign-in, session, sign-out), created lazily at request time.
export async function GET(req: Request): Promise<Response> {
  return getAuth().handler(req);
}

/**
 * Password sign-in over HTTP is throttled per account and per client address, like the sign-in
 * form (services/sign-in-guard.ts); every other Better Auth endpoint passes straight through.
 */
export async function POST(req: Request): Promise<Response> {
  if (!new URL(req.url).pathname.endsWith("/sign-in/email")) return getAuth().handler(req);
  const body: unknown = await req
    .clone()
    .json()
    .catch(() => null);
  const email = body && typeof body === "object" && typeof (body as { email?: unknown }).email === "string" ? (body as { email: string }).email : "";
  const attempt = { email, address: req.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown" };
  try {
    await guardSignIn(db(), attempt);
  } catch (e) {
    const err = toPublicError(e);
    return Response.json({ code: err.code, message: err.message }, { status: err.status });
  }
  const res = await getAuth().handler(req);
  if (email) await recordSignIn(db(), { ...attempt, ok: res.ok });
  return res;
}
