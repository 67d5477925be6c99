import { requireUser } from "@/server/auth/session";
import { can } from "@/server/core/permissions";
import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { listServices } from "@/server/services/services-and-environments";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  const user = await requireUser(req.headers);
  return json(await listServices(db(), { includeChecks: can(user.role, "settings.manage") }));
});
