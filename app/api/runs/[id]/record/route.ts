import { requireUser } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { latestReleaseRecord } from "@/server/db/release-record-repository";
import { AppError } from "@/server/errors";
import { route, runIdParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

/**
 * The run's latest release record as a Markdown download: the escaped Markdown serialized from
 * its document when it was written (a record from before structured records: its own text).
 */
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser(req.headers);
  const id = await runIdParam(ctx);
  const record = id ? await latestReleaseRecord(db(), id) : null;
  if (!record) throw new AppError("NOT_FOUND", { message: "no record", userMessage: "This run has no release record yet." });
  return new Response(record.markdown, {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="release-record-run-${record.number}-v${record.version}.md"`,
      "cache-control": "no-store",
    },
  });
});
