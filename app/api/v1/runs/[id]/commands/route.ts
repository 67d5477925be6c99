import { runCommandRoute } from "@/server/http/api-v1";

export const dynamic = "force-dynamic";

/**
 * A command on a run (approve, promote, pause, roll back…): with an API token (runs:write) as the
 * token's identity, or with the dashboard's session cookie from our own pages. Authorization and
 * validation come from the command table (server/core/commands.ts). See /api/v1/docs.
 */
export const POST = runCommandRoute;
