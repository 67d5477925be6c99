"use client";
import { asSentences } from "@/server/core/sentences";
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { updateServiceContactsAction } from "@/server/actions/update-service-contacts";
import { MAX_CONTACTS } from "@/server/db/service-contacts-schema";
import { servicesKey } from "@/components/runs/run-queries";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { FormOutcome } from "@/components/ui/form-outcome";
import { useActionForm } from "@/components/ui/use-action-form";

type Contact = { name: string; role: string; reach: string };
const FIELDS = ["name", "role", "reach"] as const;

/**
 * The form's rows → the action's input. Rows are named `contacts.<i>.<field>` after the input's
 * paths, so the server's field errors land on the right control. Empty rows at the end are unused
 * slots and dropped; any other row is sent as typed, so the server names what is missing on it
 * (dropping an empty row in the middle would move the errors of the rows below it).
 */
export function toServiceContactsInput(values: Record<string, string>, serviceId: string, rows: number): unknown {
  const contacts: Contact[] = [];
  for (let i = 0; i < rows; i++) {
    const [name = "", role = "", reach = ""] = FIELDS.map((f) => values[`contacts.${i}.${f}`] ?? "");
    contacts.push({ name, role, reach });
  }
  while (contacts.length > 0 && FIELDS.every((f) => contacts[contacts.length - 1]?.[f].trim() === "")) contacts.pop();
  return { serviceId, contacts };
}

/** A service's emergency contacts (admins): who to call during a rollout, named on the run page and in rollback notifications. */
export function ServiceContactsForm({ serviceId, serviceName, contacts }: { serviceId: string; serviceName: string; contacts: Contact[] }) {
  const qc = useQueryClient();
  // Stable keys keep each row's typed values when a row above it is removed.
  const nextKey = useRef(contacts.length);
  const [rows, setRows] = useState(() => (contacts.length > 0 ? contacts : [{ name: "", role: "", reach: "" }]).map((c, key) => ({ key, initial: c })));
  const form = useActionForm(
    (values) => updateServiceContactsAction(toServiceContactsInput(values, serviceId, rows.length)),
    () => {
      void qc.invalidateQueries({ queryKey: servicesKey });
      return "Saved.";
    },
  );
  const add = () => setRows((r) => [...r, { key: nextKey.current++, initial: { name: "", role: "", reach: "" } }]);
  const remove = (key: number) => setRows((r) => r.filter((row) => row.key !== key));
  return (
    <form onSubmit={form.onSubmit} className="space-y-3" aria-label={`Emergency contacts for ${serviceName}`} noValidate>
      <p className="text-xs text-slate-700">
        Who to reach when a release of {serviceName} goes wrong, in calling order. Shown on every run page (how to reach them only to release managers, on-call
        engineers and admins) and named in rollback notifications.
      </p>
      {form.fieldErrors.contacts ? (
        <div className="space-y-0.5 text-sm font-medium text-red-800" role="alert">
          {asSentences(form.fieldErrors.contacts).map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      ) : null}
      <ol className="space-y-3">
        {rows.map((row, i) => (
          <li key={row.key}>
            <fieldset className="grid gap-2 rounded-md border border-slate-200 p-3 sm:grid-cols-[1fr_1fr_2fr_auto] sm:items-end">
              <legend className="px-1 text-sm font-semibold text-slate-900">Contact {i + 1}</legend>
              <Field label="Name" error={form.fieldErrors[`contacts.${i}.name`]}>
                {(props) => <input {...props} name={`contacts.${i}.name`} defaultValue={row.initial.name} maxLength={80} className={controlClasses} autoComplete="off" />}
              </Field>
              <Field label="Role" error={form.fieldErrors[`contacts.${i}.role`]}>
                {(props) => <input {...props} name={`contacts.${i}.role`} defaultValue={row.initial.role} maxLength={80} placeholder="On-call engineer" className={controlClasses} autoComplete="off" />}
              </Field>
              <Field label="How to reach them" error={form.fieldErrors[`contacts.${i}.reach`]}>
                {(props) => (
                  <input {...props} name={`contacts.${i}.reach`} defaultValue={row.initial.reach} maxLength={200} placeholder="Phone, e-mail, pager or chat handle" className={controlClasses} autoComplete="off" />
                )}
              </Field>
              <Button variant="ghost" size="sm" onClick={() => remove(row.key)} aria-label={`Remove contact ${i + 1}`}>
                Remove
              </Button>
            </fieldset>
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={add} disabled={rows.length >= MAX_CONTACTS}>
          Add a contact
        </Button>
        <Button type="submit" pending={form.pending}>
          Save contacts
        </Button>
        <FormOutcome error={form.error} done={form.done} />
      </div>
    </form>
  );
}
