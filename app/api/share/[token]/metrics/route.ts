import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { json, route } from "@/server/http/route";
import { getRunMetrics } from "@/server/services/run-metrics";
import { openShareLink, sharedRunId } from "@/server/services/share-links";
import { ZRunId } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

/** The shared run's stored metric windows and latest analysis, for the shared page's charts (same rules as GET /api/share/:token). */
export const GET = route(async (req: Request, ctx: { params: Promise<{ token: string }> }) => {
  const link = await openShareLink(db(), (await ctx.params).token);
  const requested = ZRunId.safeParse(new URL(req.url).searchParams.get("run") ?? "");
  const runId = await sharedRunId(db(), link, requested.success ? requested.data : null);
  const metrics = await getRunMetrics(db(), runId);
  if (!metrics) throw new AppError("NOT_FOUND", { message: "shared run gone", userMessage: "The shared run no longer exists." });
  return json(metrics, 200, { "referrer-policy": "no-referrer", "x-robots-tag": "noindex" });
});
