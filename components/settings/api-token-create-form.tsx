"use client";
import { asSentences } from "@/server/core/sentences";
import { useId, useState } from "react";
import { useRouter } from "next/navigation";
import { createApiTokenAction } from "@/server/actions/create-api-token";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { ENVIRONMENTS, ROLES } from "@/server/core/types";
import { SCOPES, SCOPE_DESCRIPTIONS } from "./api-token-scopes";
import { ApiTokenReveal } from "./api-token-reveal";

const ROLE_NAMES: Record<(typeof ROLES)[number], string> = { admin: "Admin", release_manager: "Release manager", on_call: "On-call", viewer: "Viewer" };

/** Creates an API token for CI or a metric sender; the token is shown once, right here. */
export function ApiTokenCreateForm() {
  const router = useRouter();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const form = useActionForm(
    // Each scope is its own checkbox field (FormData keeps one value per name here).
    (values) =>
      createApiTokenAction({
        name: values.name ?? "",
        scopes: SCOPES.filter((s) => values[`scope:${s}`] === "on"),
        ...(values.role ? { role: values.role } : {}),
        // Slugs separated by commas or spaces; none = every service.
        services: (values.services ?? "").split(/[\s,]+/).filter(Boolean),
        environments: ENVIRONMENTS.filter((e) => values[`environment:${e}`] === "on"),
      }),
    (data, el) => {
      el.reset();
      setCreated({ name: data.name, token: data.token });
      router.refresh();
      return null;
    },
  );
  const fe = form.fieldErrors;
  // Errors on one listed item (services.2) are shown on the field.
  const under = (field: string) => {
    const messages = Object.entries(fe).flatMap(([key, m]) => (key === field || key.startsWith(`${field}.`) ? m : []));
    return messages.length ? messages : undefined;
  };
  const legendId = useId();
  const scopesErrorId = useId();
  return (
    <Card title="Create API token" level={3} id="create-api-token">
      {created ? <ApiTokenReveal name={created.name} token={created.token} onDone={() => setCreated(null)} /> : null}
      <form onSubmit={form.onSubmit} noValidate className="space-y-4">
        {form.error ? <Alert tone="error">{form.error}</Alert> : null}
        <Field label="Name" error={fe.name} hint="Who or what uses it, e.g. “checkout CI” or “edge metrics shipper”.">
          {(p) => <input {...p} name="name" autoComplete="off" maxLength={80} className={controlClasses} />}
        </Field>
        <fieldset aria-describedby={fe.scopes ? scopesErrorId : undefined} className="space-y-2">
          <legend id={legendId} className="text-sm font-medium text-slate-900">
            Scopes
          </legend>
          {SCOPES.map((scope) => (
            <div key={scope} className="flex items-start gap-2">
              <input
                id={`${legendId}-${scope}`}
                type="checkbox"
                name={`scope:${scope}`}
                aria-describedby={`${legendId}-${scope}-hint`}
                aria-invalid={fe.scopes ? true : undefined}
                className="mt-1 h-4 w-4 rounded border-slate-400 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700"
              />
              <div>
                <label htmlFor={`${legendId}-${scope}`} className="text-sm font-medium text-slate-900">
                  <code>{scope}</code>
                </label>
                <p id={`${legendId}-${scope}-hint`} className="text-xs text-slate-700">
                  {SCOPE_DESCRIPTIONS[scope]}
                </p>
              </div>
            </div>
          ))}
          {fe.scopes ? (
            <p id={scopesErrorId} className="text-sm font-medium text-red-800">
              {asSentences(fe.scopes).join(" ")}
            </p>
          ) : null}
        </fieldset>
        <Field label="Role" error={fe.role} hint="What the token may do with runs, checked like a person's. By default release manager when it can write runs, else viewer.">
          {(p) => (
            <select {...p} name="role" defaultValue="" className={controlClasses}>
              <option value="">Default for its scopes</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Only these services" error={under("services")} hint="Service slugs separated by commas, e.g. “storefront, checkout”. Empty: every service.">
          {(p) => <input {...p} name="services" autoComplete="off" maxLength={2000} className={controlClasses} />}
        </Field>
        <fieldset className="space-y-2" aria-describedby={`${legendId}-envs-hint`}>
          <legend className="text-sm font-medium text-slate-900">Only these environments</legend>
          <p id={`${legendId}-envs-hint`} className="text-xs text-slate-700">
            None ticked: both. A request outside the token&apos;s services or environments is refused (403).
          </p>
          {ENVIRONMENTS.map((env) => (
            <div key={env} className="flex items-center gap-2">
              <input
                id={`${legendId}-env-${env}`}
                type="checkbox"
                name={`environment:${env}`}
                className="h-4 w-4 rounded border-slate-400 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700"
              />
              <label htmlFor={`${legendId}-env-${env}`} className="text-sm text-slate-900">
                {env}
              </label>
            </div>
          ))}
          {under("environments") ? <p className="text-sm font-medium text-red-800">{asSentences(under("environments") ?? []).join(" ")}</p> : null}
        </fieldset>
        <Button type="submit" pending={form.pending}>
          Create token
        </Button>
      </form>
    </Card>
  );
}
