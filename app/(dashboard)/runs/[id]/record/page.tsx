import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { userFromHeaders } from "@/server/auth/session";
import { cache } from "react";
import { db } from "@/server/db/client";
import { latestReleaseRecord } from "@/server/db/release-record-repository";
import { ZRunId } from "@/server/services/schemas";
import { ReleaseRecordView } from "@/components/records/release-record-view";
import { buttonClasses } from "@/components/ui/button";

type Props = { params: Promise<{ id: string }> };

// Checked here too, not only in the layout: a page must not rely on its layout for access, and
// metadata renders alongside the layout's redirect. `undefined` = nobody signed in.
const findRecord = cache(async (id: string) => {
  if (!(await userFromHeaders(await headers()))) return undefined;
  const parsed = ZRunId.safeParse(id);
  return parsed.success ? latestReleaseRecord(db(), parsed.data) : null;
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const record = await findRecord((await params).id);
  if (record === undefined) return { title: "Sign in" };
  return { title: record ? `Release record — run #${record.number}` : "Release record not found" };
}

/** The run's latest release record, rendered from its structure and downloadable as Markdown. */
export default async function ReleaseRecordPage({ params }: Props) {
  const { id } = await params;
  const record = await findRecord(id);
  if (record === undefined) redirect("/sign-in");
  if (!record) {
    // Before the run has ended there is no record yet: say when it will exist instead of a 404.
    const parsed = ZRunId.safeParse(id);
    const run = parsed.success ? await db().releaseRun.findUnique({ where: { id: parsed.data }, select: { number: true } }) : null;
    if (!run) notFound();
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold text-slate-900">Release record — run #{run.number}</h1>
        <p className="text-slate-800">
          No record yet. It is written once the run has ended — released, rolled back, rejected or aborted — and appears here then.
        </p>
        <Link href={`/runs/${id}`} className={buttonClasses("secondary", "sm")}>
          Back to the run
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold text-slate-900">
          Release record — run #{record.number} <span className="text-base font-normal text-slate-700">(version {record.version})</span>
        </h1>
        <div className="flex flex-wrap gap-2">
          <Link href={`/runs/${id}`} className={buttonClasses("secondary", "sm")}>
            Back to the run
          </Link>
          <a href={`/api/runs/${id}/record`} download className={buttonClasses("secondary", "sm")}>
            <span aria-hidden="true">⬇</span> Download Markdown
          </a>
        </div>
      </div>
      <ReleaseRecordView form={record.form} document={record.document} markdown={record.markdown} />
    </div>
  );
}
