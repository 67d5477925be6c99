import { z } from "zod";

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
});

export type TEnv = z.infer<typeof ZEnv>;

let cached: TEnv | undefined;

/** The parsed configuration; throws a readable error listing every invalid variable. */
export function env(): TEnv {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
