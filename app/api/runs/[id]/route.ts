import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { json, route, runIdParam } from "@/server/http/route";
import { emergencyContactsFor } from "@/server/services/contacts";
import { getRunView } from "@/server/services/runs";

export const dynamic = "force-dynamic";

/** One run with everything its page shows (any signed-in role). */
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser(req.headers);
  const id = await runIdParam(ctx);
  const view = id ? await getRunView(db(), id, Date.now()) : null;
  if (!view) throw new AppError("NOT_FOUND", { message: "run not found", userMessage: "No such run." });
  // Who to call is read per person: how to reach them only for roles that can act.
  return json({ ...view, emergencyContacts: await emergencyContactsFor(db(), view.service.slug, user.role) });
});
