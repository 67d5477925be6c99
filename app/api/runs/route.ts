import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { listRuns } from "@/server/services/runs";
import { ZRunFilters } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

/** Runs list for the dashboard (any signed-in role). */
export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== ""));
  return json(await listRuns(db(), ZRunFilters.parse(params)));
});
