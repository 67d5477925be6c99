import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { z } from "zod";
import { db } from "@/server/db/client";
import { RunDetail } from "@/components/runs/run-detail";

const ZRunId = z.string().uuid();

type Props = { params: Promise<{ id: string }> };

async function findRun(id: string) {
  const parsed = ZRunId.safeParse(id);
  if (!parsed.success) return null;
  return db().releaseRun.findUnique({ where: { id: parsed.data }, select: { id: true, number: true } });
}

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
