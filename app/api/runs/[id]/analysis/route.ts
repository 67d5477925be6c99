import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { json, route, runIdParam } from "@/server/http/route";
import { getAnalysisHistory } from "@/server/services/analysis-history";
import { ZAnalysisHistoryQuery } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

/** One step's evaluations (?step=N, 0-based; default the latest evaluated) as series per test, for the difference chart. Any signed-in role, as the metrics. */
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser(req.headers);
  const query = ZAnalysisHistoryQuery.parse(Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== "")));
  const id = await runIdParam(ctx);
  if (!id) throw new AppError("NOT_FOUND", { message: "run not found", userMessage: "No such run." });
  return json(await getAnalysisHistory(db(), id, query));
});
