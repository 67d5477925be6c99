import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

// Not at the dashboard level: a loading boundary above /runs/[id] would start streaming before
// the page can answer 404 for an unknown run.
export default function Loading() {
  return (
    <div className="space-y-4">
      <Skeleton className="h-8 w-48" />
      <SkeletonRows rows={6} label="Loading page…" />
    </div>
  );
}
