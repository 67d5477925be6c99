"use client";
import { useState } from "react";
import type { HookName, PublicHook } from "@/server/db/environment-config-schema";
import { controlClasses, Field } from "@/components/ui/field";

const LEGEND: Record<HookName, string> = { dataMigration: "Data-migration hook", cacheInvalidation: "Cache/CDN invalidation hook" };
const HINT: Record<HookName, string> = {
  dataMigration: "Runs during a rollback, after traffic is back on the baseline (e.g. a down-migration).",
  cacheInvalidation: "Runs during a rollback, after the data-migration hook (e.g. a CDN purge).",
};

/** One rollback hook: none, a command (no shell) or a signed webhook. */
export function HookFieldset({ name, hook, errors }: { name: HookName; hook: PublicHook; errors: Record<string, string[]> }) {
  const [kind, setKind] = useState<"none" | "command" | "webhook">(hook?.kind ?? "none");
  const p = `hooks.${name}`;
  const err = (field: string) => errors[`${p}.${field}`];
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-semibold text-slate-900">{LEGEND[name]}</legend>
      <p className="text-xs text-slate-700">{HINT[name]}</p>
      <Field label="Kind" error={err("kind")}>
        {(props) => (
          <select {...props} name={`${p}.kind`} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} className={controlClasses}>
            <option value="none">None (the step is skipped)</option>
            <option value="command">Command</option>
            <option value="webhook">Signed webhook</option>
          </select>
        )}
      </Field>
      {kind === "command" ? (
        <>
          <Field label="Program (absolute path)" hint="Runs without a shell; gets FLIGHTDECK_RUN_ID, _SERVICE, _ENVIRONMENT, _BASELINE, _CANARY." error={err("command")}>
            {(props) => <input {...props} name={`${p}.command`} defaultValue={hook?.kind === "command" ? hook.command : ""} className={`${controlClasses} font-mono`} autoComplete="off" />}
          </Field>
          <Field label="Arguments (one per line)" error={err("args")}>
            {(props) => (
              <textarea {...props} name={`${p}.args`} rows={3} defaultValue={hook?.kind === "command" ? hook.args.join("\n") : ""} className={`${controlClasses} font-mono`} />
            )}
          </Field>
          <Field label="Timeout (ms, at most 600000)" error={err("timeoutMs")}>
            {(props) => (
              <input {...props} name={`${p}.timeoutMs`} type="number" min={100} max={600_000} step={1} defaultValue={hook?.kind === "command" ? hook.timeoutMs : 60_000} className={controlClasses} />
            )}
          </Field>
        </>
      ) : null}
      {kind === "webhook" ? (
        <>
          <Field label="Webhook URL" error={err("url")}>
            {(props) => <input {...props} name={`${p}.url`} type="url" defaultValue={hook?.kind === "webhook" ? hook.url : ""} className={controlClasses} autoComplete="off" />}
          </Field>
          <SecretField name={`${p}.secret`} secretSet={hook?.kind === "webhook" && hook.secretSet} error={err("secret")} />
        </>
      ) : null}
    </fieldset>
  );
}

/** A write-only secret: the stored value is never shown, and an empty field keeps it. */
export function SecretField({ name, secretSet, error }: { name: string; secretSet: boolean; error?: string[] }) {
  return (
    <Field label="Shared secret" hint={secretSet ? "Configured. Leave empty to keep it; type a new one to replace it." : "Not set. Signs every request (HMAC-SHA256)."} error={error}>
      {(props) => <input {...props} name={name} type="password" autoComplete="new-password" className={controlClasses} />}
    </Field>
  );
}
