import { requireUser } from "@/server/auth/session";
import { can } from "@/server/core/permissions";
import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { listServices } from "@/server/services/services-and-environments";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  const user = await requireUser(req.headers);
  // Checks, hooks and router settings carry command lines and internal addresses: admins only.
  const manages = can(user.role, "settings.manage");
  return json(await listServices(db(), { includeChecks: manages, includeConfig: manages }));
});
