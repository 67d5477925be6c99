import { getAuth } from "@/server/auth/auth";

export const dynamic = "force-dynamic";

// Better Auth's own endpoints (sign-in, session, sign-out), created lazily at request time.
export async function GET(req: Request): Promise<Response> {
  return getAuth().handler(req);
}
export async function POST(req: Request): Promise<Response> {
  return getAuth().handler(req);
}
