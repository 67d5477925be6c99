"use client";
import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { cancelChangeFreezeAction } from "@/server/actions/cancel-change-freeze";
import { scheduleChangeFreezeAction } from "@/server/actions/schedule-change-freeze";
import type { FreezeItem } from "@/server/services/change-freezes";
import type { ServiceItem } from "@/server/services/services-and-environments";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";
import { LocalTime } from "@/components/ui/local-time";
import { servicesKey } from "@/components/runs/run-queries";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** `datetime-local` is the browser's local time without a zone: the browser knows which zone it meant. */
const toIso = (local: string) => {
  const d = new Date(local);
  return local && !Number.isNaN(d.getTime()) ? d.toISOString() : "";
};

/** Change freezes (admins): windows in which runs into an environment are refused unless an admin overrides. */
export function ChangeFreezesSettings({ freezes, services }: { freezes: FreezeItem[]; services: ServiceItem[] }) {
  return (
    <section aria-labelledby="freezes-title" className="space-y-4">
      <h2 id="freezes-title" className="text-lg font-semibold text-slate-900">
        Change freezes
      </h2>
      <Card title="Freezes in effect and scheduled" level={3} id="freeze-list">
        <p className="mb-3 text-sm text-slate-700">
          During a freeze, new runs into the environment are refused; an admin may override with a reason, which the gate and the release record show. Runs already under way carry on.
        </p>
        {freezes.length === 0 ? (
          <p className="text-sm text-slate-700">No freeze in effect or scheduled.</p>
        ) : (
          <div className="overflow-x-auto" role="region" aria-label="Change freezes" tabIndex={0}>
            <table className="min-w-full">
              <thead>
                <tr className="border-b border-slate-200">
                  <th scope="col" className={th}>Environment</th>
                  <th scope="col" className={th}>From</th>
                  <th scope="col" className={th}>Until</th>
                  <th scope="col" className={th}>Reason</th>
                  <th scope="col" className={th}>Status</th>
                  <th scope="col" className={th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {freezes.map((f) => (
                  <tr key={f.id}>
                    <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                      {f.where}
                    </th>
                    <td className={`${td} whitespace-nowrap`}>
                      <LocalTime value={f.startsAt} withSeconds={false} />
                    </td>
                    <td className={`${td} whitespace-nowrap`}>
                      <LocalTime value={f.endsAt} withSeconds={false} />
                    </td>
                    <td className={td}>
                      {f.reason} <span className="text-xs text-slate-600">({f.createdByName})</span>
                    </td>
                    <td className={td}>
                      <Badge tone={f.status === "in effect" ? "warning" : "info"}>{f.status === "in effect" ? "In effect" : "Scheduled"}</Badge>
                    </td>
                    <td className={td}>
                      <CancelFreezeButton id={f.id} what={`${f.where}: ${f.reason}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ScheduleFreezeForm services={services} />
    </section>
  );
}

function ScheduleFreezeForm({ services }: { services: ServiceItem[] }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [done, setDone] = useState<string | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    const get = (k: string) => String(form.get(k) ?? "");
    setPending(true);
    setError(null);
    setDone(null);
    try {
      const result = await scheduleChangeFreezeAction({ environmentId: get("environmentId"), startsAt: toIso(get("startsAt")), endsAt: toIso(get("endsAt")), reason: get("reason") });
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      setFieldErrors({});
      el.reset();
      setDone("Freeze scheduled.");
      void qc.invalidateQueries({ queryKey: servicesKey });
      router.refresh();
    } catch {
      setError("Flightdeck could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <Card title="Schedule a freeze" level={3} id="schedule-freeze">
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="space-y-4">
        {error ? <Alert tone="error">{error}</Alert> : null}
        <p role="status" className="text-sm text-slate-700">
          {done ?? ""}
        </p>
        <Field label="Environment" error={fieldErrors.environmentId}>
          {(p) => (
            <select {...p} name="environmentId" className={controlClasses}>
              {services.flatMap((s) =>
                s.environments.map((e) => (
                  <option key={e.id} value={e.id}>
                    {s.name} {e.name}
                  </option>
                )),
              )}
            </select>
          )}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="From (your local time)" error={fieldErrors.startsAt}>
            {(p) => <input {...p} name="startsAt" type="datetime-local" className={controlClasses} />}
          </Field>
          <Field label="Until (your local time)" error={fieldErrors.endsAt}>
            {(p) => <input {...p} name="endsAt" type="datetime-local" className={controlClasses} />}
          </Field>
        </div>
        <Field label="Reason" error={fieldErrors.reason} hint="Shown to whoever tries to release, e.g. “End of quarter”.">
          {(p) => <input {...p} name="reason" type="text" maxLength={200} autoComplete="off" className={controlClasses} />}
        </Field>
        <Button type="submit" pending={pending}>
          Schedule freeze
        </Button>
      </form>
    </Card>
  );
}

function CancelFreezeButton({ id, what }: { id: string; what: string }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function cancel() {
    setPending(true);
    setError(null);
    try {
      const result = await cancelChangeFreezeAction({ id });
      if (!result.ok) return setError(result.error);
      void qc.invalidateQueries({ queryKey: servicesKey });
      router.refresh();
    } catch {
      setError("Flightdeck could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <span className="inline-flex flex-col gap-1">
      <Button variant="secondary" size="sm" pending={pending} onClick={() => void cancel()} aria-label={`Cancel the freeze ${what}`}>
        Cancel freeze
      </Button>
      {error ? (
        <span role="alert" className="text-xs text-red-800">
          {error}
        </span>
      ) : null}
    </span>
  );
}
