import { ROLES, type Role } from "./types.ts";

/**
 * Single sign-on role mapping: which Flightdeck role the identity provider's groups grant.
 * Pure — the auth adapter (server/auth/oidc.ts) hands it the claims and applies the result.
 */

/** One "group=role" pair of FLIGHTDECK_OIDC_ROLE_MAP. */
export type RoleMapping = { group: string; role: Role };

// Most powerful first: every grant of a later role is also a grant of an earlier one
// (core/permissions.ts), so "most powerful" is simply "earliest in this list".
const POWER: readonly Role[] = ["admin", "release_manager", "on_call", "viewer"];

/**
 * Parses "flightdeck-admins=admin,release-managers=release_manager". Throws a message naming the
 * bad entry: a typo in a role name must stop the server, not silently make everyone a viewer.
 */
export function parseRoleMap(text: string): RoleMapping[] {
  const out: RoleMapping[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const eq = entry.lastIndexOf("=");
    const group = eq > 0 ? entry.slice(0, eq).trim() : "";
    const role = eq > 0 ? entry.slice(eq + 1).trim() : "";
    if (group === "" || role === "") throw new Error(`"${entry}" is not group=role`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`"${entry}": unknown role "${role}" (one of ${ROLES.join(", ")})`);
    }
    const previous = out.find((m) => m.group === group);
    if (previous && previous.role !== role) throw new Error(`group "${group}" is mapped twice (${previous.role}, ${role})`);
    if (!previous) out.push({ group, role: role as Role });
  }
  return out;
}

/**
 * The groups a claim names. Providers send an array of strings; some send one group as a
 * string. Anything else (missing, a number, an object) names no group: the user is a viewer.
 */
export function groupsFromClaim(claim: unknown): string[] {
  if (typeof claim === "string") return claim.trim() === "" ? [] : [claim.trim()];
  if (!Array.isArray(claim)) return [];
  return [...new Set(claim.filter((g): g is string => typeof g === "string").map((g) => g.trim()).filter((g) => g !== ""))];
}

export type SsoRoleDecision = {
  role: Role;
  /** every group the claim named */
  groups: string[];
  /** the groups that matched the map (the audit says which granted what) */
  matched: string[];
};

/** The most powerful role any of the groups is mapped to; no mapped group → viewer. */
export function roleForGroups(groups: readonly string[], map: readonly RoleMapping[]): SsoRoleDecision {
  const hits = map.filter((m) => groups.includes(m.group));
  const role = POWER.find((r) => hits.some((h) => h.role === r)) ?? "viewer";
  return { role, groups: [...groups], matched: hits.map((h) => h.group) };
}

/** The role for a provider profile: reads `claimName` (e.g. "groups") and maps it. */
export function ssoRoleFromProfile(profile: Record<string, unknown>, claimName: string, map: readonly RoleMapping[]): SsoRoleDecision {
  return roleForGroups(groupsFromClaim(profile[claimName]), map);
}
