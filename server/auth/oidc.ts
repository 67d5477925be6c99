import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
// Request-scoped state of Better Auth itself (one AsyncLocalStorage on globalThis): it carries the
// groups decision from the profile mapping to the user-creation hook and the callback's after-hook
// of the same request. @better-auth/core is better-auth's own core, installed with it.
import { defineRequestState } from "@better-auth/core/context";
import { ssoRoleFromProfile, type SsoRoleDecision } from "../core/oidc-roles.ts";
import { ROLES, type Role } from "../core/types.ts";
import { db } from "../db/client.ts";
import { writeAudit } from "../db/audit-log.ts";
import type { OidcSettings } from "../env.ts";

/** Better Auth's provider id: the callback to register at the provider is <public URL>/api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";
export const OIDC_CALLBACK_PATH = `/api/auth/callback/${OIDC_PROVIDER_ID}`;

type Decision = SsoRoleDecision & { email: string; createdUserId?: string };

const ssoDecision = defineRequestState<Decision | null>(() => null);

/** The decision of this request's SSO callback; null outside one (an admin creating a user, a password sign-in). */
async function currentDecision(): Promise<Decision | null> {
  return ssoDecision.get().catch(() => null);
}

const ROLE_LABEL: Record<Role, string> = { admin: "admin", release_manager: "release manager", on_call: "on-call", viewer: "viewer" };

/**
 * Single sign-on through Better Auth's generic OAuth plugin, with the role taken from the groups
 * claim at every sign-in: a user removed from a group at the provider loses the role the next time
 * they sign in through it.
 */
export function oidcPlugins(settings: OidcSettings): BetterAuthPlugin[] {
  const roles: BetterAuthPlugin = {
    id: "flightdeck-sso-roles",
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === "/callback/:id" && ctx.params?.id === OIDC_PROVIDER_ID,
          handler: createAuthMiddleware(async (ctx) => {
            const decision = await currentDecision();
            const signedIn = ctx.context.newSession;
            // A refused sign-in (unlinkable account, bad state, provider error) created no session.
            if (!decision || !signedIn) return;
            await applySsoSignIn(signedIn.user.id, decision);
          }),
        },
      ],
    },
  };
  return [
    genericOAuth({
      config: [
        {
          providerId: OIDC_PROVIDER_ID,
          name: settings.label,
          discoveryUrl: `${settings.issuer}/.well-known/openid-configuration`,
          clientId: settings.clientId,
          clientSecret: settings.clientSecret,
          scopes: settings.scopes,
          pkce: true,
          // Signing out of Flightdeck ends Flightdeck's session, not the person's session at the
          // company's provider (which other applications share).
          disableProviderLogout: true,
          // Identity comes from the ID token: never accept one that discovery cannot verify.
          requireIdTokenVerification: true,
          mapProfileToUser: async (profile) => {
            const decision = ssoRoleFromProfile(profile, settings.groupsClaim, settings.roleMap);
            await ssoDecision.set({ ...decision, email: String(profile.email ?? "") });
            return {};
          },
        },
      ],
    }),
    roles,
  ];
}

/**
 * The first SSO sign-in creates the user with the mapped role (not "viewer" and then a change).
 * Outside an SSO callback this changes nothing.
 */
export const oidcDatabaseHooks: BetterAuthOptions["databaseHooks"] = {
  user: {
    create: {
      before: async (user) => {
        const decision = await currentDecision();
        if (!decision) return;
        return { data: { ...user, role: decision.role } };
      },
      after: async (user) => {
        const decision = await currentDecision();
        if (decision) decision.createdUserId = user.id;
      },
    },
  },
};

/** Re-applies the mapped role and audits the sign-in (and any role it changed), in one transaction. */
async function applySsoSignIn(userId: string, decision: Decision): Promise<void> {
  await db().$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, name: true, email: true, role: true } });
    const before: Role = (ROLES as readonly string[]).includes(String(user.role)) ? (user.role as Role) : "viewer";
    const actor = { id: user.id, name: user.name, role: decision.role };
    const detail = { provider: OIDC_PROVIDER_ID, groups: decision.groups, matchedGroups: decision.matched, role: decision.role };
    const because = decision.matched.length > 0 ? `groups ${decision.matched.join(", ")}` : "no mapped group";
    if (decision.createdUserId === user.id) {
      await writeAudit(tx, { actor, action: "user.sso_created", summary: `Single sign-on created ${user.email} as ${ROLE_LABEL[decision.role]} (${because})`, detail });
    } else if (before !== decision.role) {
      await tx.user.update({ where: { id: user.id }, data: { role: decision.role } });
      await writeAudit(tx, {
        actor,
        action: "user.sso_role",
        summary: `Single sign-on changed ${user.email} from ${ROLE_LABEL[before]} to ${ROLE_LABEL[decision.role]} (${because})`,
        detail: { ...detail, previousRole: before },
      });
    }
    await writeAudit(tx, { actor, action: "user.sso_sign_in", summary: `${user.email} signed in through single sign-on as ${ROLE_LABEL[decision.role]}`, detail });
  });
}
