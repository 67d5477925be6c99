// Relative imports (not "@/"): the service test loads this route as it is, without Next's aliases.
import { requireUser } from "../../../server/auth/session";
import { db } from "../../../server/db/client";
import { json, route } from "../../../server/http/route";
import { getReleaseHealth } from "../../../server/services/release-health";

export const dynamic = "force-dynamic";

/** Release health (DORA-style figures) for any signed-in role: stakeholders and viewers are its readers. */
export const GET = route(async (req: Request) => {
  await requireUser(req.headers);
  // Empty parameters (a cleared filter) mean "not given".
  const query = Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== ""));
  return json(await getReleaseHealth(db(), query, Date.now()));
});
