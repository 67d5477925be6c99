"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { parseLastUsed, pickDefaults } from "@/server/core/last-used";
import { useQueryClient } from "@tanstack/react-query";
import { createRunAction } from "@/server/actions/create-run";
import { COMPLIANCES, ENVIRONMENTS, RISKS, STRATEGIES } from "@/server/core/types";
import type { ServiceItem } from "@/server/services/services-and-environments";
import { useCan } from "@/components/auth/session-context";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, controlClasses } from "@/components/ui/field";
import { LocalTime } from "@/components/ui/local-time";
import { EnvironmentRadios } from "./environment-radios";
import { FlagChoice } from "./flag-choice";
import { GatePreview } from "./gate-preview";
import { runsKey } from "./run-queries";

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const STRATEGY_HINTS: Record<string, string> = {
  canary: "5% → 50% → 100% (of traffic, or of users for a flag), holding at each step",
  "blue-green": "start green, verify, switch 100%, keep blue warm",
  rolling: "four batches of 25%",
  immediate: "one step to 100%",
};

/** Where New run remembers the last service and environment used. */
const LAST_USED_KEY = "flightdeck:new-run:last-used";

/** Starts a release run; the server validates everything again and answers with field errors. */
export function NewRunForm({ services }: { services: ServiceItem[] }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [serviceId, setServiceId] = useState(services[0]?.id ?? "");
  const [environment, setEnvironment] = useState<string>(ENVIRONMENTS[0]);
  // The last service and environment used are restored after hydration (localStorage is browser-only).
  useEffect(() => {
    let saved = null;
    try {
      saved = parseLastUsed(window.localStorage.getItem(LAST_USED_KEY));
    } catch {
      // Storage disabled: keep the first service.
    }
    const d = pickDefaults(saved, services.map((s) => s.id), ENVIRONMENTS);
    setServiceId(d.serviceId);
    setEnvironment(d.environment);
  }, [services]);
  // What the run releases (issue 15): a new version, or a feature flag's new variant to a share of users.
  const [kind, setKind] = useState<"version" | "flag">("version");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const service = services.find((s) => s.id === serviceId);
  const isAdmin = useCan("settings.manage");
  const freezes = (service?.environments ?? []).flatMap((e) => (e.freeze ? [{ environment: e.name, ...e.freeze }] : []));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const get = (k: string) => String(form.get(k) ?? "");
    setPending(true);
    setError(null);
    const result = await createRunAction({
      serviceId: get("serviceId"),
      environment: get("environment"),
      kind,
      ...(kind === "flag" ? { flag: { key: get("flagKey"), variant: get("flagVariant") } } : { targetVersion: get("targetVersion") }),
      strategy: get("strategy"),
      risk: get("risk"),
      compliance: get("compliance"),
      ...(get("freezeOverrideReason").trim() ? { freezeOverrideReason: get("freezeOverrideReason") } : {}),
    }).catch(() => null);
    if (result === null) {
      // The server is restarting or unreachable: say so and let the person try again.
      setPending(false);
      setError("Flightdeck could not be reached. Try again.");
      return;
    }
    if (result.ok) {
      try {
        window.localStorage.setItem(LAST_USED_KEY, JSON.stringify({ serviceId: get("serviceId"), environment: get("environment") }));
      } catch {
        // Storage disabled: nothing to remember.
      }
      void qc.invalidateQueries({ queryKey: runsKey() });
      router.push(`/runs/${result.data.id}`);
      return;
    }
    setPending(false);
    setError(result.error);
    setFieldErrors(result.fieldErrors ?? {});
  }

  const select = (name: string, label: string, values: readonly string[], hints?: Record<string, string>, initial?: string) => (
    <Field label={label} error={fieldErrors[name]}>
      {(p) => (
        <select {...p} name={name} defaultValue={initial ?? values[0]} className={controlClasses}>
          {values.map((v) => (
            <option key={v} value={v}>
              {hints?.[v] ? `${v} — ${hints[v]}` : v}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Field label="Service" error={fieldErrors.serviceId} hint={service && kind === "version" ? `Baseline (current version): ${service.currentVersion}` : undefined}>
        {(p) => (
          <select {...p} name="serviceId" value={serviceId} onChange={(e) => setServiceId(e.target.value)} className={controlClasses}>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.slug})
              </option>
            ))}
          </select>
        )}
      </Field>
      <EnvironmentRadios values={ENVIRONMENTS} error={fieldErrors.environment} value={environment} onChange={setEnvironment} />
      {freezes.map((f) => (
        <Alert key={f.environment} tone="warning" title={f.inEffect ? `${capitalize(f.environment)} is frozen` : `${capitalize(f.environment)} freezes soon`}>
          {f.inEffect ? "No releases into it until " : "From "}
          <LocalTime value={f.inEffect ? f.endsAt : f.startsAt} withSeconds={false} />
          {f.inEffect ? "" : <> to <LocalTime value={f.endsAt} withSeconds={false} /></>}: {f.reason}. {f.inEffect ? (isAdmin ? "As an admin you can override it with a reason below." : "Only an admin can override it.") : null}
        </Alert>
      ))}
      {isAdmin && freezes.some((f) => f.inEffect) ? (
        <Field label="Reason to release during the freeze (admins)" error={fieldErrors.freezeOverrideReason} hint="Only for a release into a frozen environment; shown on the gate, in the audit trail and in the release record.">
          {(p) => <input {...p} name="freezeOverrideReason" type="text" maxLength={200} autoComplete="off" className={controlClasses} />}
        </Field>
      ) : null}
      <fieldset>
        <legend className="text-sm font-medium text-slate-900">What are you releasing?</legend>
        <div className="mt-2 flex flex-wrap gap-3">
          {(
            [
              ["version", "A new version"],
              ["flag", "A feature flag"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 has-[:checked]:border-slate-900 has-[:checked]:ring-1 has-[:checked]:ring-slate-900">
              <input type="radio" name="kind" value={value} checked={kind === value} onChange={() => setKind(value)} className="h-4 w-4 accent-slate-900" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {kind === "version" ? (
        <Field label="Target version" error={fieldErrors.targetVersion} hint="The version being released, e.g. 1.4.3 or v2.0.0-rc.1.">
          {(p) => <input {...p} name="targetVersion" type="text" autoComplete="off" spellCheck={false} className={`${controlClasses} font-mono`} />}
        </Field>
      ) : (
        <FlagChoice serviceId={serviceId} environment={environment} serviceSlug={service?.slug ?? ""} fieldErrors={fieldErrors} />
      )}
      {select("strategy", "Strategy", STRATEGIES, STRATEGY_HINTS)}
      {select("risk", "Risk", RISKS, { critical: "two approvers, doubled holds" }, "medium")}
      {select("compliance", "Compliance", COMPLIANCES)}
      <GatePreview serviceId={serviceId} environment={environment} />
      <Button type="submit" pending={pending}>
        {pending ? "Starting…" : "Start run"}
      </Button>
    </form>
  );
}
