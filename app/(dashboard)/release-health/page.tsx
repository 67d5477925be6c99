import type { Metadata } from "next";
import { Suspense } from "react";
import { ReleaseHealthView } from "@/components/release-health/release-health-view";
import { SkeletonRows } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Release health" };

export default function ReleaseHealthPage() {
  return (
    <Suspense fallback={<SkeletonRows rows={4} label="Loading release health…" />}>
      <ReleaseHealthView />
    </Suspense>
  );
}
