"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { listRunFlagsAction } from "@/server/actions/list-run-flags";
import type { RunnableFlag } from "@/server/services/flag-runs";
import { Field, controlClasses } from "@/components/ui/field";

/**
 * New run's flag choice (issue 15): one of the environment's flags and the variant to roll out.
 * The variant list leaves out the flag's default — that is the baseline users keep until the
 * rollout reaches them. The server checks the choice again when the run is created.
 */
export function FlagChoice({ serviceId, environment, serviceSlug, fieldErrors }: { serviceId: string; environment: string; serviceSlug: string; fieldErrors: Record<string, string[]> }) {
  const flags = useQuery({
    queryKey: ["run-flags", serviceId, environment],
    queryFn: async () => {
      const r = await listRunFlagsAction({ serviceId, environment });
      if (!r.ok) throw new Error(r.error);
      return r.data.flags;
    },
    enabled: serviceId !== "",
    staleTime: 10_000,
  });
  const [chosenKey, setChosenKey] = useState("");
  const list = flags.data ?? [];
  const flag: RunnableFlag | undefined = list.find((f) => f.key === chosenKey) ?? list[0];
  const variants = flag ? flag.variants.filter((v) => v !== flag.defaultVariant) : [];

  if (flags.isPending) return <p className="text-sm text-slate-700">Loading the flags of {serviceSlug}/{environment}…</p>;
  if (flags.isError) return <p className="text-sm font-medium text-red-800">{flags.error.message}</p>;
  if (list.length === 0) {
    return (
      <p className="rounded-md border border-slate-300 p-3 text-sm text-slate-800" data-testid="no-flags">
        {serviceSlug} has no flags in {environment} yet. An admin adds them in Settings (Feature flags); then a run can roll one out here.
        {fieldErrors["flag.key"] ? <span className="mt-1 block font-medium text-red-800">{fieldErrors["flag.key"].join(" ")}</span> : null}
      </p>
    );
  }
  return (
    <>
      <Field label="Flag" error={fieldErrors["flag.key"] ?? fieldErrors.flag} hint={flag ? `Baseline: ${flag.defaultVariant}, what everyone gets now${flag.rollout ? ` (${flag.rollout.variant} is on for ${flag.rollout.percent}% of users)` : ""}.` : undefined}>
        {(p) => (
          <select {...p} name="flagKey" value={flag?.key ?? ""} onChange={(e) => setChosenKey(e.target.value)} className={`${controlClasses} font-mono`}>
            {list.map((f) => (
              <option key={f.key} value={f.key}>
                {f.description ? `${f.key} — ${f.description}` : f.key}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="New variant" error={fieldErrors["flag.variant"]} hint="Rolled out to a growing share of users, each keeping it once they have it.">
        {(p) => (
          // Keyed by flag: choosing another flag starts from its first variant.
          <select {...p} key={flag?.key} name="flagVariant" defaultValue={variants[0]} className={`${controlClasses} font-mono`}>
            {variants.map((v) => (
              <option key={v} value={v}>
                {flag ? `${flag.defaultVariant} → ${v}` : v}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}
