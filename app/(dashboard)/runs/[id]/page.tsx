import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { userFromHeaders } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { findRunHeader } from "@/server/services/runs";
import { RunDetail } from "@/components/runs/run-detail";

type Props = { params: Promise<{ id: string }> };

// Metadata and page share one lookup per request. The session is checked here too, not only in
// the layout: metadata is rendered alongside the layout's redirect, and a signed-out visitor must
// learn neither a run's number nor whether it exists. `undefined` = nobody signed in.
const findRun = cache(async (id: string) => ((await userFromHeaders(await headers())) ? findRunHeader(db(), id) : undefined));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await findRun((await params).id);
  if (run === undefined) return { title: "Sign in" };
  return { title: run ? `Run #${run.number}` : "Run not found" };
}

/** Checks the run exists (404 otherwise); the client component loads and follows it. */
export default async function RunPage({ params }: Props) {
  const run = await findRun((await params).id);
  if (run === undefined) redirect("/sign-in");
  if (!run) notFound();
  return <RunDetail runId={run.id} />;
}
