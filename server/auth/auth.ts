import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { db } from "../db/client.ts";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address.ts";
import { runtime } from "../runtime.ts";
import { oidcDatabaseHooks, oidcPlugins } from "./oidc.ts";

function createAuth() {
  const rt = runtime();
  return betterAuth({
    secret: rt.authSecret,
    baseURL: rt.publicUrl,
    trustedOrigins: [rt.publicUrl],
    database: prismaAdapter(db(), { provider: "postgresql" }),
    // Accounts are created by admins (settings → users); nobody signs themselves up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, autoSignIn: false },
    user: {
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "viewer", input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 12, updateAge: 60 * 60 },
    // Single sign-on may sign into an existing local account with the same e-mail only when the
    // provider says it verified that address and the local account's address is verified (admins'
    // accounts are; API-token identities are not). Otherwise the sign-in is refused, never merged.
    account: { accountLinking: { enabled: true, trustedProviders: [], requireLocalEmailVerified: true } },
    databaseHooks: rt.oidc ? oidcDatabaseHooks : undefined,
    // Who someone is in the audit trail and on approvals is for admins to say: an on-call user
    // renamed themselves to a spreadsheet formula, or could have taken another person's name.
    // Passwords stay the owner's to change.
    disabledPaths: ["/update-user", "/change-email", "/delete-user"],
    rateLimit: rt.testMode ? { enabled: false } : { enabled: true, window: 10, max: 20 },
    // Its limiter keys on the client's address as the server determined it (server/main.ts), not
    // on a header the client could rotate; without it every client shared one bucket.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    telemetry: { enabled: false },
    // nextCookies last: it must see the cookies every other plugin set.
    plugins: [...(rt.oidc ? oidcPlugins(rt.oidc) : []), nextCookies()],
  });
}

type Auth = ReturnType<typeof createAuth>;
const store = globalThis as unknown as { __flightdeckAuth?: Auth };

/**
 * Better Auth, created lazily: its Prisma adapter needs a connected client, which does not
 * exist while `next build` collects pages.
 */
export function getAuth(): Auth {
  store.__flightdeckAuth ??= createAuth();
  return store.__flightdeckAuth;
}
