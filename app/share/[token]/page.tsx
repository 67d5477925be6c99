import type { Metadata } from "next";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { openShareLink, recordShareView } from "@/server/services/share-links";
import { ZRunId } from "@/server/services/schemas";
import { LinkClosed, SharedView } from "@/components/share/shared-view";

export const dynamic = "force-dynamic";

// The link's secret is in the address: no search engine, and no Referer to the sites it links to.
export const metadata: Metadata = { title: "Shared release", robots: { index: false, follow: false }, referrer: "no-referrer" };

type Props = { params: Promise<{ token: string }>; searchParams: Promise<{ run?: string | string[] }> };

/**
 * A run (or a service's releases) for someone without an account, through a read-only link.
 * Every load of this page is a view, audited; the page then polls the link's API, which stops
 * answering the moment the link is revoked.
 */
export default async function SharedPage({ params, searchParams }: Props) {
  const { token } = await params;
  const run = ZRunId.safeParse((await searchParams).run ?? "");
  let link;
  try {
    link = await openShareLink(db(), token);
  } catch (e) {
    if (e instanceof AppError && (e.code === "GONE" || e.code === "NOT_FOUND")) return <Shell><LinkClosed message={e.userMessage} /></Shell>;
    throw e;
  }
  const runId = link.runId ?? (run.success ? run.data : null);
  await recordShareView(db(), link, runId);
  return (
    <Shell>
      <SharedView token={token} runId={link.runId ? null : runId} />
    </Shell>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between px-4 py-3">
          <span className="font-semibold text-slate-900">Flightdeck</span>
          <span className="text-sm text-slate-700">Read-only view</span>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </>
  );
}
