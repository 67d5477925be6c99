import type { Role } from "./types.ts";

/** Everything a person can ask of Flightdeck that changes something. */
export type Permission =
  | "run.create"
  | "run.approve"
  | "run.reject"
  | "run.waive"
  | "run.confirmWeight"
  | "run.pause"
  | "run.resume"
  | "run.promote"
  | "run.rollback"
  | "run.abort"
  | "settings.manage"
  | "users.manage";

// On-call may roll back and pause (and confirm traffic during a rollback), never approve.
const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    "run.create", "run.approve", "run.reject", "run.waive", "run.confirmWeight", "run.pause", "run.resume",
    "run.promote", "run.rollback", "run.abort", "settings.manage", "users.manage",
  ],
  release_manager: [
    "run.create", "run.approve", "run.reject", "run.waive", "run.confirmWeight", "run.pause", "run.resume",
    "run.promote", "run.rollback", "run.abort",
  ],
  on_call: ["run.pause", "run.rollback", "run.confirmWeight"],
  viewer: [],
};

/** Whether a role may do something. The server checks this on every mutation. */
export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
