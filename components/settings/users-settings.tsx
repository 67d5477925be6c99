"use client";
import type { Role } from "@/server/core/types";
import { humanize } from "@/components/runs/labels";
import { Card } from "@/components/ui/card";
import { UserRoleForm } from "./user-role-form";

export type UserRow = { id: string; name: string; email: string; role: Role; createdAt: string };

const th = "py-2 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
const td = "py-2 pr-3 align-top text-sm text-slate-800";

/** Everyone who can sign in, with their role (editable by admins). */
export function UsersSettings({ users, canManage, currentUserId }: { users: UserRow[]; canManage: boolean; currentUserId: string }) {
  return (
    <Card title="People" level={3} id="people">
      <div className="overflow-x-auto" role="region" aria-label="People" tabIndex={0}>
        <table className="min-w-full">
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className={th}>Name</th>
              <th scope="col" className={th}>E-mail</th>
              <th scope="col" className={th}>Role</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((u) => (
              <tr key={u.id}>
                <th scope="row" className={`${td} text-left font-medium text-slate-900`}>
                  {u.name}
                  {u.id === currentUserId ? <span className="ml-1 text-xs font-normal text-slate-700">(you)</span> : null}
                </th>
                <td className={`${td} break-all`}>{u.email}</td>
                <td className={td}>{canManage ? <UserRoleForm userId={u.id} userName={u.name} role={u.role} /> : humanize(u.role)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
