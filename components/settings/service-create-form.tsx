"use client";
import { useQueryClient } from "@tanstack/react-query";
import { createServiceAction } from "@/server/actions/create-service";
import { servicesKey } from "@/components/runs/run-queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";

/** Adds a service with a staging and a production environment. */
export function ServiceCreateForm() {
  const qc = useQueryClient();
  const form = useActionForm(createServiceAction, (_data, el) => {
    el.reset();
    void qc.invalidateQueries({ queryKey: servicesKey });
    return "Service added with staging and production environments.";
  });
  const fe = form.fieldErrors;
  return (
    <Card title="Add service" level={3} id="add-service">
      <form onSubmit={form.onSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
        <div className="sm:col-span-2">
          {form.error ? <Alert tone="error">{form.error}</Alert> : form.done ? <Alert tone="success">{form.done}</Alert> : null}
        </div>
        <Field label="Slug" error={fe.slug} hint="Lowercase letters, digits and dashes, e.g. checkout-api.">
          {(p) => <input {...p} name="slug" autoComplete="off" className={`${controlClasses} font-mono`} />}
        </Field>
        <Field label="Name" error={fe.name}>
          {(p) => <input {...p} name="name" autoComplete="off" className={controlClasses} />}
        </Field>
        <Field label="Current version" error={fe.currentVersion} hint="The version in service now; the baseline of the first run.">
          {(p) => <input {...p} name="currentVersion" autoComplete="off" className={`${controlClasses} font-mono`} />}
        </Field>
        <Field label="Description" error={fe.description}>
          {(p) => <input {...p} name="description" autoComplete="off" className={controlClasses} />}
        </Field>
        <div className="sm:col-span-2">
          <Field label="Runbook" error={fe.runbook} hint="Incident-response steps; copied into every release record.">
            {(p) => <textarea {...p} name="runbook" rows={4} className={controlClasses} />}
          </Field>
        </div>
        <div className="sm:col-span-2">
          <Button type="submit" pending={form.pending}>
            Add service
          </Button>
        </div>
      </form>
    </Card>
  );
}
