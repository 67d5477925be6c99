import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { json, route, runIdParam } from "@/server/http/route";
import { getRunMetrics } from "@/server/services/run-metrics";

export const dynamic = "force-dynamic";

/** Stored 10 s windows per side and the latest analysis, to fill the charts before live data. */
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser(req.headers);
  const id = await runIdParam(ctx);
  const metrics = id ? await getRunMetrics(db(), id) : null;
  if (!metrics) throw new AppError("NOT_FOUND", { message: "run not found", userMessage: "No such run." });
  return json(metrics);
});
