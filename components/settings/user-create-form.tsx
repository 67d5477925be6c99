"use client";
import { useRouter } from "next/navigation";
import { createUserAction } from "@/server/actions/create-user";
import { ROLES } from "@/server/core/types";
import { humanize } from "@/components/runs/labels";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";

/** Adds a person with an e-mail/password account and a role. */
export function UserCreateForm() {
  const router = useRouter();
  const form = useActionForm(createUserAction, (_data, el) => {
    el.reset();
    router.refresh();
    return "User added. Share the password with them privately.";
  });
  const fe = form.fieldErrors;
  return (
    <Card title="Add user" level={3} id="add-user">
      <form onSubmit={form.onSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
        <div className="sm:col-span-2">
          {form.error ? <Alert tone="error">{form.error}</Alert> : form.done ? <Alert tone="success">{form.done}</Alert> : null}
        </div>
        <Field label="Name" error={fe.name}>
          {(p) => <input {...p} name="name" autoComplete="off" className={controlClasses} />}
        </Field>
        <Field label="E-mail" error={fe.email}>
          {(p) => <input {...p} name="email" type="email" autoComplete="off" className={controlClasses} />}
        </Field>
        <Field label="Role" error={fe.role}>
          {(p) => (
            <select {...p} name="role" defaultValue="viewer" className={controlClasses}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {humanize(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Password" error={fe.password} hint="At least 12 characters.">
          {(p) => <input {...p} name="password" type="password" autoComplete="new-password" className={controlClasses} />}
        </Field>
        <div className="sm:col-span-2">
          <Button type="submit" pending={form.pending}>
            Add user
          </Button>
        </div>
      </form>
    </Card>
  );
}
