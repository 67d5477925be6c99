import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { json, route } from "@/server/http/route";
import { gatePreview } from "@/server/services/gate-preview";

export const dynamic = "force-dynamic";

/** What the gate will require of a run with these settings (New run's preview); read-only, signed-in users. */
export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  const q = new URL(req.url).searchParams;
  return json(await gatePreview(db(), { serviceId: q.get("serviceId"), environment: q.get("environment"), risk: q.get("risk"), compliance: q.get("compliance") }));
});
