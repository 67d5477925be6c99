"use client";
import { useId, useState } from "react";
import { useRouter } from "next/navigation";
import { createApiTokenAction } from "@/server/actions/create-api-token";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { SCOPES, SCOPE_DESCRIPTIONS } from "./api-token-scopes";
import { ApiTokenReveal } from "./api-token-reveal";

/** Creates an API token for CI or a metric sender; the token is shown once, right here. */
export function ApiTokenCreateForm() {
  const router = useRouter();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const form = useActionForm(
    // Each scope is its own checkbox field (FormData keeps one value per name here).
    (values) => createApiTokenAction({ name: values.name ?? "", scopes: SCOPES.filter((s) => values[`scope:${s}`] === "on") }),
    (data, el) => {
      el.reset();
      setCreated({ name: data.name, token: data.token });
      router.refresh();
      return null;
    },
  );
  const fe = form.fieldErrors;
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
              {fe.scopes.join(" ")}
            </p>
          ) : null}
        </fieldset>
        <Button type="submit" pending={form.pending}>
          Create token
        </Button>
      </form>
    </Card>
  );
}
