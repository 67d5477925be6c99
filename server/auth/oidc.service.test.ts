import { createServer } from "node:http";
import { toNodeHandler } from "better-auth/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { defaultAccounts, startOidcProvider, TEST_CLIENT, type TestAccount, type TestOidcProvider } from "../../playwright/fixtures/oidc-provider.ts";
import { parseRoleMap } from "../core/oidc-roles.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { oidcSettings, parseEnv } from "../env.ts";
import { setRuntime } from "../runtime.ts";
import { listenOnLoopback } from "../testing/loopback-server.ts";
import { createUser } from "../services/users.ts";
import { getAuth } from "./auth.ts";
import { OIDC_CALLBACK_PATH } from "./oidc.ts";
import { userFromHeaders } from "./session.ts";

// Single sign-on end to end without a browser: a real OpenID Connect provider (oidc-provider) and
// Better Auth's own HTTP handler on loopback, the real database, and the authorization-code flow
// driven with plain HTTP — discovery, PKCE, the provider's login and consent pages, the token
// exchange, ID-token verification, userinfo, then the user, their role and the audit trail.

const url = inject("databaseUrl");
const h = { db: connectDb(url) };
const accounts: Map<string, TestAccount> = defaultAccounts();
const app = createServer();
let appUrl = "";
let closeApp: () => Promise<void>;
let idp: TestOidcProvider;

beforeAll(async () => {
  const listening = await listenOnLoopback(app);
  appUrl = `http://127.0.0.1:${listening.port}`;
  closeApp = listening.close;
  idp = await startOidcProvider({ port: 0, redirectUri: `${appUrl}${OIDC_CALLBACK_PATH}`, accounts });
  setRuntime({
    databaseUrl: url,
    authSecret: "oidc-test-session-secret-0123456789abcdef",
    publicUrl: appUrl,
    testMode: true,
    oidc: {
      issuer: idp.issuer,
      clientId: TEST_CLIENT.clientId,
      clientSecret: TEST_CLIENT.clientSecret,
      label: "Test IdP",
      scopes: ["openid", "email", "profile"],
      groupsClaim: "groups",
      roleMap: parseRoleMap("flightdeck-admins=admin,release-managers=release_manager,on-call=on_call"),
    },
  });
  app.on("request", toNodeHandler(getAuth()));
});
afterAll(async () => {
  await closeApp();
  await idp.close();
  await disconnectDb();
});

/** Cookies per origin, as a browser would keep them for these two servers. */
class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(origin: string): string {
    return [...(this.byOrigin.get(origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async fetch(target: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(target).origin;
    const headers = new Headers(init.headers);
    const cookie = this.header(origin);
    if (cookie) headers.set("cookie", cookie);
    const res = await fetch(target, { ...init, headers, redirect: "manual" });
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    this.byOrigin.set(origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
    return res;
  }
}

type Outcome = { landed: URL; cookie: string };

/**
 * Clicks "Sign in with …", signs in at the provider as `login` (its login page, then its consent
 * page), and follows the redirects back to Flightdeck until they leave /api/auth.
 */
async function ssoSignIn(login: string): Promise<Outcome> {
  const jar = new CookieJar();
  let res = await jar.fetch(`${appUrl}/api/auth/sign-in/social`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: appUrl },
    body: JSON.stringify({ provider: "oidc", callbackURL: "/runs", errorCallbackURL: "/sign-in" }),
  });
  expect(res.status).toBe(200);
  const start = (await res.json()) as { url: string };
  const authorize = new URL(start.url);
  expect(authorize.origin).toBe(idp.issuer);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256"); // PKCE

  let next = start.url;
  let init: RequestInit = {};
  for (let hop = 0; hop < 25; hop++) {
    res = await jar.fetch(next, init);
    init = {};
    if (res.status >= 300 && res.status < 400) {
      const to = new URL(res.headers.get("location") ?? "", next);
      if (to.origin === appUrl && !to.pathname.startsWith("/api/auth/")) return { landed: to, cookie: jar.header(appUrl) };
      next = to.href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${next} answered ${res.status}: ${html.slice(0, 400)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`no sign-in form at ${next}: ${html.slice(0, 400)}`);
    const form: Record<string, string> = prompt === "login" ? { prompt, login, password: "any password will do" } : { prompt };
    next = new URL(action.replaceAll("&amp;", "&"), next).href;
    init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() };
  }
  throw new Error("too many redirects");
}

const signedInAs = (o: Outcome) => userFromHeaders(new Headers({ cookie: o.cookie }));
const audits = (action: string, email: string) =>
  h.db.auditEvent.findMany({ where: { action, summary: { contains: email } }, orderBy: { at: "asc" } });

describe("signing in through the OpenID Connect provider", () => {
  it("a release manager at the provider lands on /runs as a release manager; the account is created with that role", async () => {
    const o = await ssoSignIn("sso-manager");
    expect(o.landed.pathname).toBe("/runs");
    const user = await signedInAs(o);
    expect(user).toMatchObject({ email: "sso-manager@example.test", name: "Sam Manager", role: "release_manager" });

    const row = await h.db.user.findUniqueOrThrow({ where: { email: "sso-manager@example.test" }, include: { accounts: true } });
    expect(row.role).toBe("release_manager");
    expect(row.accounts.map((a) => a.providerId)).toEqual(["oidc"]); // no password: SSO only
    const created = await audits("user.sso_created", "sso-manager@example.test");
    expect(created.map((a) => a.summary)).toEqual(["Single sign-on created sso-manager@example.test as release manager (groups release-managers)"]);
    expect(created[0]?.detail).toMatchObject({ groups: ["release-managers", "everyone"], matchedGroups: ["release-managers"], role: "release_manager" });
    expect(await audits("user.sso_sign_in", "sso-manager@example.test")).toHaveLength(1);

    // Signing out ends Flightdeck's session only: no detour to the provider's logout.
    const out = await fetch(`${appUrl}/api/auth/sign-out`, { method: "POST", headers: { cookie: o.cookie, origin: appUrl }, redirect: "manual" });
    expect(out.status).toBe(200);
    expect(out.headers.get("location")).toBeNull();
    expect(await signedInAs(o)).toBeNull();
  });

  it("someone in no mapped group is a viewer; someone in several groups gets the most powerful role", async () => {
    expect(await signedInAs(await ssoSignIn("sso-viewer"))).toMatchObject({ email: "sso-viewer@example.test", role: "viewer" });
    expect(await signedInAs(await ssoSignIn("sso-admin"))).toMatchObject({ email: "sso-admin@example.test", role: "admin" });
  });

  it("each sign-in re-applies the mapping: removed from the group, the user loses the role next time (audited)", async () => {
    const login = "sso-oncall";
    accounts.set(login, { email: "sso-oncall@example.test", emailVerified: true, name: "Oli Oncall", groups: ["on-call"] });
    expect(await signedInAs(await ssoSignIn(login))).toMatchObject({ role: "on_call" });

    accounts.set(login, { email: "sso-oncall@example.test", emailVerified: true, name: "Oli Oncall", groups: "release-managers" });
    expect(await signedInAs(await ssoSignIn(login))).toMatchObject({ role: "release_manager" });

    accounts.set(login, { email: "sso-oncall@example.test", emailVerified: true, name: "Oli Oncall", groups: ["contractors"] });
    expect(await signedInAs(await ssoSignIn(login))).toMatchObject({ role: "viewer" });

    const changes = await audits("user.sso_role", "sso-oncall@example.test");
    expect(changes.map((a) => a.summary)).toEqual([
      "Single sign-on changed sso-oncall@example.test from on-call to release manager (groups release-managers)",
      "Single sign-on changed sso-oncall@example.test from release manager to viewer (no mapped group)",
    ]);
    expect(changes[1]?.detail).toMatchObject({ previousRole: "release_manager", role: "viewer", groups: ["contractors"] });
    expect(await audits("user.sso_sign_in", "sso-oncall@example.test")).toHaveLength(3);
    // one user throughout
    expect(await h.db.user.count({ where: { email: "sso-oncall@example.test" } })).toBe(1);
  });
});

describe("local accounts next to single sign-on", () => {
  it("a local account still signs in with its password", async () => {
    await createUser(h.db, { id: "system", name: "test", role: "system" }, { name: "Lou Local", email: "lou@example.test", role: "on_call", password: "correct horse battery" });
    const res = await getAuth().api.signInEmail({ body: { email: "lou@example.test", password: "correct horse battery" }, headers: new Headers() });
    expect(res.user.email).toBe("lou@example.test");
  });

  it("the provider's verified e-mail signs into the existing local account (no second user); its role then follows the groups", async () => {
    const { id } = await createUser(h.db, { id: "system", name: "test", role: "system" }, { name: "Lin Linked", email: "lin@example.test", role: "viewer", password: "correct horse battery" });
    accounts.set("lin", { email: "LIN@example.test", emailVerified: true, name: "Lin Linked", groups: ["release-managers"] });
    const o = await ssoSignIn("lin");
    expect(o.landed.pathname).toBe("/runs");
    expect(await signedInAs(o)).toMatchObject({ id, role: "release_manager" });
    const row = await h.db.user.findUniqueOrThrow({ where: { id }, include: { accounts: true } });
    expect(row.accounts.map((a) => a.providerId).sort()).toEqual(["credential", "oidc"]);
    expect(await h.db.user.count({ where: { email: "lin@example.test" } })).toBe(1);
    expect((await audits("user.sso_role", "lin@example.test")).map((a) => a.summary)).toEqual([
      "Single sign-on changed lin@example.test from viewer to release manager (groups release-managers)",
    ]);
  });

  it("an e-mail the provider has not verified never takes over a local account: refused, nothing changed", async () => {
    const { id } = await createUser(h.db, { id: "system", name: "test", role: "system" }, { name: "Una Local", email: "una@example.test", role: "on_call", password: "correct horse battery" });
    accounts.set("mallory", { email: "una@example.test", emailVerified: false, name: "Mallory", groups: ["flightdeck-admins"] });
    const o = await ssoSignIn("mallory");
    expect(o.landed.pathname).toBe("/sign-in");
    expect(o.landed.searchParams.get("error")).toBe("account_not_linked");
    expect(await signedInAs(o)).toBeNull();
    const row = await h.db.user.findUniqueOrThrow({ where: { id }, include: { accounts: true } });
    expect(row).toMatchObject({ role: "on_call", name: "Una Local" });
    expect(row.accounts.map((a) => a.providerId)).toEqual(["credential"]);
    expect(await audits("user.sso_sign_in", "una@example.test")).toEqual([]);
  });
});

describe("single sign-on configuration", () => {
  const base = { FLIGHTDECK_OIDC_ISSUER: "https://idp.example.test/realms/ops", FLIGHTDECK_OIDC_CLIENT_ID: "flightdeck", FLIGHTDECK_OIDC_CLIENT_SECRET: "s3cret" };

  it("is off without any OIDC variable, on with all three, with the documented defaults", () => {
    expect(oidcSettings(parseEnv({}))).toBeNull();
    expect(oidcSettings(parseEnv({ ...base, FLIGHTDECK_OIDC_ROLE_MAP: "ops=admin" }))).toEqual({
      issuer: "https://idp.example.test/realms/ops",
      clientId: "flightdeck",
      clientSecret: "s3cret",
      label: "Single sign-on",
      scopes: ["openid", "email", "profile"],
      groupsClaim: "groups",
      roleMap: [{ group: "ops", role: "admin" }],
    });
  });

  it("a partial configuration or a bad role map stops the start with a message naming the variable", () => {
    expect(() => parseEnv({ FLIGHTDECK_OIDC_ISSUER: base.FLIGHTDECK_OIDC_ISSUER })).toThrow(
      /FLIGHTDECK_OIDC_CLIENT_ID: single sign-on needs FLIGHTDECK_OIDC_ISSUER, FLIGHTDECK_OIDC_CLIENT_ID, FLIGHTDECK_OIDC_CLIENT_SECRET together/,
    );
    expect(() => parseEnv({ ...base, FLIGHTDECK_OIDC_CLIENT_SECRET: undefined })).toThrow(/FLIGHTDECK_OIDC_CLIENT_SECRET: single sign-on needs/);
    expect(() => parseEnv({ ...base, FLIGHTDECK_OIDC_ROLE_MAP: "ops=root" })).toThrow(/FLIGHTDECK_OIDC_ROLE_MAP: "ops=root": unknown role "root"/);
    expect(() => parseEnv({ ...base, FLIGHTDECK_OIDC_ISSUER: "not a url" })).toThrow(/FLIGHTDECK_OIDC_ISSUER/);
  });
});
