import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

/**
 * A page's placeholder while its data loads, for the pages' own loading.tsx. Not at the dashboard
 * level: a loading boundary above /runs/[id] would start streaming before the page can answer
 * 404 for an unknown run.
 */
export function PageLoading() {
  return (
    <div className="space-y-4">
      <Skeleton className="h-8 w-48" />
      <SkeletonRows rows={6} label="Loading page…" />
    </div>
  );
}
