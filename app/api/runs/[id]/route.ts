import { z } from "zod";
import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { json, route } from "@/server/http/route";
import { getRunView } from "@/server/services/runs";

export const dynamic = "force-dynamic";

const ZId = z.string().uuid();

/** One run with everything its page shows (any signed-in role). */
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser(req.headers);
  const id = ZId.safeParse((await ctx.params).id);
  const view = id.success ? await getRunView(db(), id.data, Date.now()) : null;
  if (!view) throw new AppError("NOT_FOUND", { message: "run not found", userMessage: "No such run." });
  return json(view);
});
