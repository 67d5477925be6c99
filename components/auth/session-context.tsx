"use client";
import { createContext, useContext, type ReactNode } from "react";
import { can, type Permission } from "@/server/core/permissions";
import type { Role } from "@/server/core/types";

/** The signed-in person as the browser needs them (no secrets). */
export type ViewerUser = { id: string; name: string; email: string; role: Role };

const SessionContext = createContext<ViewerUser | null>(null);

/** Given by the dashboard layout, which has already checked the session on the server. */
export function SessionProvider({ user, children }: { user: ViewerUser; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

export function useSessionUser(): ViewerUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error("useSessionUser outside the dashboard layout");
  return user;
}

/**
 * Whether to render a control. Hiding it is courtesy only: the server refuses the action for
 * roles without the permission anyway.
 */
export function useCan(permission: Permission): boolean {
  return can(useSessionUser().role, permission);
}
