"use client";
import { DashboardError } from "@/components/shell/dashboard-error";

export default function Error({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <DashboardError error={error} reset={reset} />;
}
