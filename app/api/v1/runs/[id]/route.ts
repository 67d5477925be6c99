import { getRunRoute } from "@/server/http/api-v1";

export const dynamic = "force-dynamic";

/** One run by id (UUID) or number (runs:read). See /api/v1/docs. */
export const GET = getRunRoute;
