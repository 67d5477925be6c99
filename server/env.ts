import { z } from "zod";
import { parseRoleMap, type RoleMapping } from "./core/oidc-roles.ts";

/**
 * Flightdeck's configuration, parsed once from the process environment. Nothing else in the
 * code base reads `process.env`; services receive what they need as arguments.
 */
const ZBool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  /** HTTP port for the dashboard, API and socket.io (one port). */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface to listen on. */
  HOST: z.string().default("127.0.0.1"),
  /** Public base URL of the dashboard (sign-in callbacks, links in notifications). */
  PUBLIC_URL: z.url().optional(),
  /** External PostgreSQL; when unset an embedded PostgreSQL is started in DATA_DIR. */
  DATABASE_URL: z.string().startsWith("postgres").optional(),
  /** With DATABASE_URL: the schema owner's connection, for migrations only (DATABASE_URL then needs row rights only). */
  DATABASE_MIGRATION_URL: z.string().startsWith("postgres").optional(),
  /** Folder for the embedded database and generated secrets (gitignored). */
  FLIGHTDECK_DATA_DIR: z.string().default(".data"),
  /** Port of the embedded PostgreSQL. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Session signing secret (≥ 32 chars); generated into DATA_DIR on first start when unset. */
  BETTER_AUTH_SECRET: z.string().min(32).optional(),
  /** First admin's e-mail, created on first start. */
  FLIGHTDECK_ADMIN_EMAIL: z.email().default("admin@flightdeck.local"),
  /** First admin's password; generated and printed on first start when unset. */
  FLIGHTDECK_ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Seed the demo services and run the demo fleet (two real versions, router, traffic). */
  FLIGHTDECK_DEMO: ZBool.default(true),
  /** Start a staging canary of the demo service's next release at boot (end-to-end tests start their own). */
  FLIGHTDECK_DEMO_AUTORUN: ZBool.default(true),
  /** The demo fleet's traffic, requests per second through its router. */
  // 200 req/s puts 10 req/s on a 5% canary: the rate the analysis targets are stated at.
  /** reverse proxies whose X-Forwarded-For is believed (comma-separated addresses); empty: none */
  FLIGHTDECK_TRUSTED_PROXIES: z.string().default(""),
  FLIGHTDECK_DEMO_RPS: z.coerce.number().min(0).max(5_000).default(200),
  /** Port of the demo fleet's router (its front door); 0 picks a free one. */
  FLIGHTDECK_DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** Ports of the demo production regions' routers, "eu-west,ap-southeast" (e.g. "4101,4102"); empty: the ports after FLIGHTDECK_DEMO_PORT (0 there: free ports). */
  FLIGHTDECK_DEMO_REGION_PORTS: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\d+$/, "a port number").transform(Number).pipe(z.number().int().max(65535))).max(2, "two ports at most: eu-west,ap-southeast")),
  /**
   * Where the built-in routers configured in Settings run: "inprocess" (this process, the default)
   * or "external" (`npm run router`, its own process: this one writes the weights to the database
   * and reads back what the router process reports; README, "Running the router as its own process").
   */
  FLIGHTDECK_ROUTER: z.enum(["inprocess", "external"]).default("inprocess"),
  /** Multiplies every hold duration on top of the environment's own scale (tests use 0.001). */
  FLIGHTDECK_HOLD_SCALE: z.coerce.number().positive().max(10).default(1),
  /** How often the engine looks for due deadlines and pending effects (ms). */
  FLIGHTDECK_TICK_MS: z.coerce.number().int().min(20).max(10_000).default(250),
  /** Agents of one phase that run at once (load tests and browsers compete for the cores). */
  FLIGHTDECK_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Longest one agent's checks may run before they are stopped (ms). */
  FLIGHTDECK_CHECK_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
  /** Chromium for the accessibility agent; default: Debian's /usr/bin/chromium when present. */
  FLIGHTDECK_CHROMIUM: z.string().min(1).optional(),
  /** Slack-compatible webhook for run notifications (rollbacks, approvals needed). */
  FLIGHTDECK_NOTIFY_WEBHOOK_URL: z.url().optional(),
  /** Shared secret signing those notifications (HMAC-SHA256). */
  FLIGHTDECK_NOTIFY_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Relax sign-in rate limits (end-to-end tests sign in many times a minute). */
  FLIGHTDECK_TEST_MODE: ZBool.default(false),
  // Single sign-on (OpenID Connect). On only when issuer, client id and secret are all set; local
  // e-mail/password accounts keep working either way.
  /** The identity provider's issuer URL (its discovery document is <issuer>/.well-known/openid-configuration). */
  FLIGHTDECK_OIDC_ISSUER: z.url().optional(),
  /** The client id Flightdeck is registered under at the provider. */
  FLIGHTDECK_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** That client's secret. */
  FLIGHTDECK_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Text of the sign-in button: "Sign in with <label>". */
  FLIGHTDECK_OIDC_LABEL: z.string().trim().min(1).max(60).default("Single sign-on"),
  /** Scopes asked for (space-separated); add the one your provider needs to release the groups claim. */
  FLIGHTDECK_OIDC_SCOPES: z.string().trim().min(1).default("openid email profile"),
  /** The ID-token/userinfo claim listing the user's groups. */
  FLIGHTDECK_OIDC_GROUPS_CLAIM: z.string().trim().min(1).default("groups"),
  /** group=role pairs, comma-separated; the most powerful mapped role wins, no mapped group = viewer. */
  FLIGHTDECK_OIDC_ROLE_MAP: z
    .string()
    .default("")
    .superRefine((v, ctx) => {
      try {
        parseRoleMap(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
}).superRefine((v, ctx) => {
  // Half a configuration would silently leave everyone on local accounts: refuse to start instead.
  const oidc = { FLIGHTDECK_OIDC_ISSUER: v.FLIGHTDECK_OIDC_ISSUER, FLIGHTDECK_OIDC_CLIENT_ID: v.FLIGHTDECK_OIDC_CLIENT_ID, FLIGHTDECK_OIDC_CLIENT_SECRET: v.FLIGHTDECK_OIDC_CLIENT_SECRET };
  const set = Object.entries(oidc).filter(([, value]) => value !== undefined);
  if (set.length === 0 || set.length === 3) return;
  for (const [name, value] of Object.entries(oidc)) {
    if (value === undefined) ctx.addIssue({ code: "custom", path: [name], message: `single sign-on needs ${Object.keys(oidc).join(", ")} together (${set.map(([n]) => n).join(", ")} set)` });
  }
});

export type TEnv = z.infer<typeof ZEnv>;

let cached: TEnv | undefined;

/** The parsed configuration; throws a readable error listing every invalid variable. */
export function env(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Parses a given environment (tests pass their own); throws like env(). */
export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Single sign-on settings, resolved from the configuration; null when it is off. */
export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  label: string;
  scopes: string[];
  groupsClaim: string;
  roleMap: RoleMapping[];
};

export function oidcSettings(cfg: TEnv): OidcSettings | null {
  if (!cfg.FLIGHTDECK_OIDC_ISSUER || !cfg.FLIGHTDECK_OIDC_CLIENT_ID || !cfg.FLIGHTDECK_OIDC_CLIENT_SECRET) return null;
  return {
    issuer: cfg.FLIGHTDECK_OIDC_ISSUER.replace(/\/+$/, ""),
    clientId: cfg.FLIGHTDECK_OIDC_CLIENT_ID,
    clientSecret: cfg.FLIGHTDECK_OIDC_CLIENT_SECRET,
    label: cfg.FLIGHTDECK_OIDC_LABEL,
    scopes: cfg.FLIGHTDECK_OIDC_SCOPES.split(/\s+/),
    groupsClaim: cfg.FLIGHTDECK_OIDC_GROUPS_CLAIM,
    roleMap: parseRoleMap(cfg.FLIGHTDECK_OIDC_ROLE_MAP),
  };
}
