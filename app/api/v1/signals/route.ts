import { signalsRoute } from "@/server/http/api-v1-ingest";

export const dynamic = "force-dynamic";

/** A security signal that rolls a run back (signals:write). See /api/v1/docs. */
export const POST = signalsRoute;
