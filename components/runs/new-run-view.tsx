"use client";
import Link from "next/link";
import { useCan } from "@/components/auth/session-context";
import { QueryError } from "@/components/query/query-error";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { NewRunForm } from "./new-run-form";
import { useServices } from "./run-queries";

export function NewRunView() {
  const canCreate = useCan("run.create");
  const services = useServices();
  return (
    <div className="mx-auto max-w-2xl space-y-5">
      <h1 className="text-2xl font-semibold text-slate-900">New run</h1>
      {!canCreate ? (
        <Alert tone="info" title="Your role cannot start runs">
          Release managers and admins start runs. You can still <Link href="/runs" className="underline">follow every run live</Link>.
        </Alert>
      ) : services.isError ? (
        <QueryError error={services.error} onRetry={() => void services.refetch()} />
      ) : services.isPending ? (
        <SkeletonRows rows={6} label="Loading services…" />
      ) : services.data.length === 0 ? (
        <Alert tone="info" title="No services yet">
          An admin adds services in <Link href="/settings" className="underline">Settings</Link>; then runs can start.
        </Alert>
      ) : (
        <Card>
          <NewRunForm services={services.data} />
        </Card>
      )}
    </div>
  );
}
