import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { openShareLink, sharedTarget } from "@/server/services/share-links";
import { ZRunId } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

/**
 * What a read-only link shows, polled by the shared page: no account, no cookie. 404 for a link
 * that is not one (malformed or unknown), 410 once it has expired or been revoked — checked on
 * every request, so a revoked link stops at the page's next poll. `?run=` picks one of a service
 * link's releases. Page loads are audited by the page; these polls are not views.
 */
export const GET = route(async (req: Request, ctx: { params: Promise<{ token: string }> }) => {
  const link = await openShareLink(db(), (await ctx.params).token);
  const run = ZRunId.safeParse(new URL(req.url).searchParams.get("run") ?? "");
  return json(await sharedTarget(db(), link, run.success ? run.data : null), 200, { "referrer-policy": "no-referrer", "x-robots-tag": "noindex" });
});
