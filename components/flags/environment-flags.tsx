"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { deleteFlagAction } from "@/server/actions/delete-flag";
import { listFlagsAction } from "@/server/actions/list-flags";
import type { FlagItem } from "@/server/services/flag-admin";
import { Button } from "@/components/ui/button";
import { ConfirmActionButton } from "@/components/ui/confirm-action-button";
import { FormOutcome } from "@/components/ui/form-outcome";
import { FlagForm } from "./flag-form";

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** "on to 5% (run …)" while a run rolls a variant out; nothing once it has ended. */
function Rollout({ flag }: { flag: FlagItem }) {
  if (!flag.rollout?.active) return <span className="text-slate-700">none</span>;
  return (
    <span>
      <span className="font-mono">{flag.rollout.variant}</span> to {flag.rollout.percent}% of users ·{" "}
      <Link href={`/runs/${flag.rollout.runId}`} className="text-blue-800 underline underline-offset-2">
        the run
      </Link>
    </span>
  );
}

/**
 * One environment's flags (loaded when shown): a table with the variants, default and any rollout
 * under way, an editor per flag and a form for a new one.
 */
export function EnvironmentFlags({ serviceId, serviceSlug, environment, place }: { serviceId: string; serviceSlug: string; environment: "staging" | "production"; place: string }) {
  const [flags, setFlags] = useState<FlagItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(0);

  // Bumped after every change: the list is read again from the server (a run may have moved it too).
  const [version, setVersion] = useState(0);
  const load = () => setVersion((v) => v + 1);
  useEffect(() => {
    let live = true;
    listFlagsAction({ serviceId, environment }).then(
      (r) => {
        if (!live) return;
        if (r.ok) {
          setFlags(r.data);
          setError(null);
        } else setError(r.error);
      },
      () => {
        if (live) setError("Flightdeck could not be reached. Try again.");
      },
    );
    return () => {
      live = false;
    };
  }, [serviceId, environment, version]);

  const saved = (verb: string) => (flag: FlagItem) => {
    setEditing(null);
    setAdding((n) => n + 1); // a fresh new-flag form
    setDone(`${verb} ${flag.key}: default ${flag.defaultVariant}.`);
    load();
  };

  if (flags === null) return error ? <FormOutcome error={error} done={null} /> : <p className="text-sm text-slate-700">Loading flags…</p>;
  return (
    <div className="space-y-4" data-testid={`flags-${serviceSlug}-${environment}`}>
      <p className="text-sm text-slate-700">
        OpenFeature SDKs read these over OFREP at <code className="font-mono text-xs">/api/flags/{serviceSlug}/{environment}</code>. A flag run (New run → a flag) rolls a variant out step by step.
      </p>
      {flags.length === 0 ? (
        <p className="text-sm text-slate-700">No flags in {environment} yet.</p>
      ) : (
        <div className="overflow-x-auto" role="region" aria-label={`Feature flags of ${place}`} tabIndex={0}>
          <table className="min-w-full">
            <thead>
              <tr className="border-b border-slate-200">
                <th scope="col" className={th}>Flag</th>
                <th scope="col" className={th}>Variants</th>
                <th scope="col" className={th}>Default</th>
                <th scope="col" className={th}>Rollout</th>
                <th scope="col" className={th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {flags.map((f) => (
                <tr key={f.key} data-testid={`flag-${f.key}`}>
                  <th scope="row" className={`${td} text-left`}>
                    <span className="font-mono font-medium text-slate-900">{f.key}</span>
                    {f.description ? <span className="block text-slate-700">{f.description}</span> : null}
                  </th>
                  <td className={`${td} font-mono`}>{f.variants.map((v) => `${v.name} = ${JSON.stringify(v.value)}`).join(", ")}</td>
                  <td className={`${td} font-mono`} data-testid="flag-default">
                    {f.defaultVariant}
                  </td>
                  <td className={td}>
                    <Rollout flag={f} />
                  </td>
                  <td className={`${td} whitespace-nowrap`}>
                    <div className="flex gap-2">
                      <Button variant="secondary" size="sm" onClick={() => setEditing(editing === f.key ? null : f.key)} aria-expanded={editing === f.key} aria-label={`Edit ${f.key}`}>
                        Edit
                      </Button>
                      <ConfirmActionButton
                        label="Delete"
                        ariaLabel={`Delete ${f.key}`}
                        title={`Delete ${f.key}?`}
                        description={`SDKs asking for ${f.key} in ${place} get "flag not found" and fall back to their own default. The audit trail keeps its definition.`}
                        confirmLabel={`Delete ${f.key}`}
                        action={async () => {
                          const r = await deleteFlagAction({ serviceId, environment, key: f.key });
                          if (r.ok) {
                            setDone(`Deleted ${f.key}.`);
                            load();
                          }
                          return r;
                        }}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormOutcome error={error} done={done} />
      {editing
        ? flags
            .filter((f) => f.key === editing)
            .map((f) => (
              <div key={`${f.key}-${f.revision}`} className="rounded-md border border-slate-200 p-3">
                <h4 className="mb-2 text-sm font-semibold text-slate-900">
                  Edit <span className="font-mono">{f.key}</span>
                </h4>
                <FlagForm serviceId={serviceId} environment={environment} place={place} flag={f} onSaved={saved("Saved")} onCancel={() => setEditing(null)} />
              </div>
            ))
        : null}
      <details className="rounded-md border border-slate-200">
        <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Add a flag to {environment}</summary>
        <div className="p-3">
          <FlagForm key={adding} serviceId={serviceId} environment={environment} place={place} onSaved={saved("Created")} />
        </div>
      </details>
    </div>
  );
}
