import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { listServices } from "@/server/services/catalog";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  return json(await listServices(db()));
});
