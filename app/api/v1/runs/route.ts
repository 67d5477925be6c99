import { createRunRoute, listRunsRoute } from "@/server/http/api-v1";

export const dynamic = "force-dynamic";

/** POST: create a run (runs:write, Idempotency-Key). GET: list runs (runs:read). See /api/v1/docs. */
export const POST = createRunRoute;
export const GET = listRunsRoute;
