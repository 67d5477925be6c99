import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { db } from "@/server/db/client";
import { findRunHeader } from "@/server/services/runs";
import { RunDetail } from "@/components/runs/run-detail";

type Props = { params: Promise<{ id: string }> };

// Metadata and page share one lookup per request.
const findRun = cache((id: string) => findRunHeader(db(), id));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await findRun((await params).id);
  return { title: run ? `Run #${run.number}` : "Run not found" };
}

/** Checks the run exists (404 otherwise); the client component loads and follows it. */
export default async function RunPage({ params }: Props) {
  const run = await findRun((await params).id);
  if (!run) notFound();
  return <RunDetail runId={run.id} />;
}
