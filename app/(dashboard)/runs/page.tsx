import type { Metadata } from "next";
import { Suspense } from "react";
import { RunsView } from "@/components/runs/runs-view";
import { SkeletonRows } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <Suspense fallback={<SkeletonRows rows={6} label="Loading runs…" />}>
      <RunsView />
    </Suspense>
  );
}
