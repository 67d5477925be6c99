import { AppError } from "../errors.ts";
import { can, type Permission } from "../core/permissions.ts";
import { ROLES, type Actor, type Role } from "../core/types.ts";
import { getAuth } from "./auth.ts";

/** The signed-in person, as the engine and the UI see them. */
export type SessionUser = Actor & { email: string };

function toRole(value: unknown): Role {
  return (ROLES as readonly string[]).includes(String(value)) ? (value as Role) : "viewer";
}

/** The user behind a request's cookies, or null. */
export async function userFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  const u = session.user as { id: string; name: string; email: string; role?: unknown };
  return { id: u.id, name: u.name, email: u.email, role: toRole(u.role) };
}

/** The signed-in user; throws 401 when there is none. */
export async function requireUser(headers: Headers): Promise<SessionUser> {
  const user = await userFromHeaders(headers);
  if (!user) throw new AppError("UNAUTHENTICATED", { message: "no session", userMessage: "Please sign in." });
  return user;
}

/** The signed-in user if their role grants `permission`; 403 otherwise. */
export async function requirePermission(headers: Headers, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(headers);
  if (!can(user.role, permission)) {
    throw new AppError("FORBIDDEN", {
      message: `${user.email} (${user.role}) denied ${permission}`,
      userMessage: "Your role does not allow this.",
    });
  }
  return user;
}
