import { runEventsRoute } from "@/server/http/api-v1";

export const dynamic = "force-dynamic";
// A stream held open until the run ends: Node's runtime, never cached.
export const runtime = "nodejs";

/** One run's events as Server-Sent Events (runs:read), resumable with Last-Event-ID. See /api/v1/docs. */
export const GET = runEventsRoute;
