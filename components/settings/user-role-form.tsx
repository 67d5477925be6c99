"use client";
import { useRouter } from "next/navigation";
import { setUserRoleAction } from "@/server/actions/set-user-role";
import { ROLES, type Role } from "@/server/core/types";
import { humanize } from "@/components/runs/labels";
import { Button } from "@/components/ui/button";
import { inlineControlClasses } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { FormOutcome } from "@/components/ui/form-outcome";

/** Changes one user's role; their sessions end, so the new role applies at their next sign-in. */
export function UserRoleForm({ userId, userName, role }: { userId: string; userName: string; role: Role }) {
  const router = useRouter();
  const form = useActionForm(
    (v) => setUserRoleAction({ userId, role: v.role }),
    () => {
      router.refresh();
      return "Saved.";
    },
  );
  const id = `role-${userId}`;
  return (
    <form onSubmit={form.onSubmit} className="flex flex-wrap items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Role for {userName}
      </label>
      <select id={id} name="role" defaultValue={role} className={`${inlineControlClasses} w-44`}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {humanize(r)}
          </option>
        ))}
      </select>
      <Button type="submit" variant="secondary" size="sm" pending={form.pending} aria-label={`Save role for ${userName}`}>
        Save
      </Button>
      <FormOutcome error={form.error} done={form.done} />
    </form>
  );
}
