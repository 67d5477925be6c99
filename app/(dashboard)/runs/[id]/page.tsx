import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { userFromHeaders } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { ZRunView } from "@/server/contracts/runs-api";
import { emergencyContactsFor } from "@/server/services/contacts";
import { getRunView } from "@/server/services/runs";
import { RunDetail } from "@/components/runs/run-detail";

type Props = { params: Promise<{ id: string }> };

// Metadata and page share one read of the run per request. The session is checked here too, not
// only in the layout: metadata is rendered alongside the layout's redirect, and a signed-out
// visitor must learn neither a run's number nor whether it exists. `undefined` = nobody signed
// in; null = no such run (or a malformed id).
const signedIn = cache(async () => userFromHeaders(await headers()));
const findRun = cache(async (id: string) => {
  const user = await signedIn();
  return user ? initialView(id, user.role) : undefined;
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await findRun((await params).id);
  if (run === undefined) return { title: "Sign in" };
  return { title: run ? `Run #${run.number}` : "Run not found" };
}

/**
 * The run's page (404 for an unknown run), sent with the run — exactly what GET /api/runs/:id
 * answers, through the same schema — so the server renders its summary and the browser draws
 * it without a first round trip. The client component then follows it live.
 */
export default async function RunPage({ params }: Props) {
  const run = await findRun((await params).id);
  if (run === undefined) redirect("/sign-in");
  if (!run) notFound();
  return <RunDetail runId={run.id} initial={run} />;
}

/** The run as GET /api/runs/:id answers it for this reader's role (who to call: how to reach them only for roles that act). */
async function initialView(id: string, role: Parameters<typeof emergencyContactsFor>[2]) {
  const view = await getRunView(db(), id, Date.now());
  if (!view) return null;
  const contacts = await emergencyContactsFor(db(), view.service.slug, role);
  return ZRunView.parse(JSON.parse(JSON.stringify({ ...view, emergencyContacts: contacts })));
}
