import path from "node:path";
import { z } from "zod";
import { COMMAND_PLACEHOLDERS, PLACEHOLDER_PATTERN } from "../core/command-placeholders.ts";
import { isEmptyConfig } from "../adapters/checks/check-io.ts";
import { isEncryptedSecret } from "../secrets.ts";

// An environment's router settings, rollback hooks and resource limits, as stored in the
// Environment row's JSON columns (`routerConfig`, `hooks`, `limits`) and as the settings form
// sends them. Stored secrets are encrypted (secrets.ts); the form's secrets are plaintext, and an
// empty one keeps the stored value. The browser only ever sees `secretSet`.

/** Longest a command hook may run: the rollback waits for it. */
export const MAX_HOOK_TIMEOUT_MS = 10 * 60_000;

const ZPort = z.number({ error: "Enter a port" }).int("Enter a whole number").min(1, "Port must be 1–65535").max(65_535, "Port must be 1–65535");

function urlWith(protocols: string[], message: string) {
  return z
    .string()
    .trim()
    .min(1, "Enter a URL")
    .max(2_000)
    .refine((v) => {
      try {
        const url = new URL(v);
        return protocols.includes(url.protocol) && url.hostname.length > 0;
      } catch {
        return false;
      }
    }, message);
}

// The built-in router proxies plain HTTP to the two versions (TLS ends in front of it).
const ZUpstreamUrl = urlWith(["http:"], "Enter an http:// URL, e.g. http://127.0.0.1:4001");
const ZWebhookUrl = urlWith(["http:", "https:"], "Enter an http:// or https:// URL");
// Same rule as nginx-config.ts: a host name or bracketed IPv6 address, then a port.
const ZHostPort = z
  .string()
  .trim()
  .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, "Enter host:port, e.g. 127.0.0.1:8081")
  .refine((v) => {
    const port = Number(v.slice(v.lastIndexOf(":") + 1));
    return port >= 1 && port <= 65_535;
  }, "Port must be 1–65535");
const ZAbsoluteDir = z
  .string()
  .trim()
  .min(1, "Enter a directory")
  .max(1_000)
  .refine((v) => path.isAbsolute(v) && !v.split("/").includes(".."), "Enter an absolute directory without “..”, e.g. /var/lib/flightdeck/nginx");
const ZStoredSecret = z.string().refine(isEncryptedSecret, "not an encrypted secret");
/** A secret typed into the form; empty or absent keeps the stored one. */
const ZSecretInput = z.string().max(1_000, "At most 1000 characters").optional();

/** No router: an operator confirms each weight. */
const ZManualRouter = z.object({ kind: z.literal("manual") });
/** The built-in weighted reverse proxy in front of the two versions. */
const ZBuiltinRouter = z.object({
  kind: z.literal("builtin"),
  /** port the proxy listens on (127.0.0.1) */
  listenPort: ZPort,
  /** base URL of the baseline version */
  baselineUrl: ZUpstreamUrl,
  /** base URL of the canary version */
  canaryUrl: ZUpstreamUrl,
});
/** A real nginx, in its own prefix, reloaded with each weight. */
const ZNginxRouter = z
  .object({
    kind: z.literal("nginx"),
    /** port nginx listens on (127.0.0.1) */
    listenPort: ZPort,
    /** nginx working directory (conf/, logs/, tmp/), absolute */
    prefix: ZAbsoluteDir,
    /** baseline upstream, host:port */
    baselineUpstream: ZHostPort,
    /** canary upstream, host:port */
    canaryUpstream: ZHostPort,
  })
  .refine((c) => c.baselineUpstream !== c.canaryUpstream, { message: "Baseline and canary must differ", path: ["canaryUpstream"] });
const webhookRouter = <S extends z.ZodType>(secret: S) => z.object({ kind: z.literal("webhook"), url: ZWebhookUrl, secret });

// The placeholders live in the core: the Settings form lists them without bundling this module.
export { COMMAND_PLACEHOLDERS, PLACEHOLDER_PATTERN, type CommandPlaceholder } from "../core/command-placeholders.ts";
/** Longest a command router's command may run per weight change; the rollout waits for it. */
export const MAX_ROUTER_TIMEOUT_SECONDS = 300;

/**
 * A program run on the Flightdeck server for every weight change (kubectl patch, kubectl argo
 * rollouts, …): argv as stored, no shell, no PATH lookup. Exit 0 means the weight is applied.
 */
const ZCommandRouter = z.object({
  kind: z.literal("command"),
  /** argv: the program's absolute path, then its arguments, which may hold {placeholders} */
  command: z
    .array(z.string().max(2_000, "An argument has at most 2000 characters"))
    .min(1, "Enter the program's absolute path on the first line")
    .max(50, "At most 50 arguments")
    .superRefine((argv, ctx) => {
      // Issues sit on `command` itself: the form shows the whole command as one field, one argument per line.
      const say = (message: string) => ctx.addIssue({ code: "custom", message, path: [] });
      const [program = ""] = argv;
      if (!path.isAbsolute(program.trim())) say("Line 1 must be the program's absolute path, e.g. /usr/local/bin/kubectl (no shell, no PATH lookup)");
      else if (program.includes("{")) say("Line 1, the program, cannot hold a placeholder");
      argv.forEach((arg, i) => {
        // execve cannot pass a NUL byte; refuse it here rather than at the first weight change.
        if (arg.includes("\0")) say(`Line ${i + 1} contains a NUL character`);
        for (const [, name] of arg.matchAll(PLACEHOLDER_PATTERN)) {
          if (!(COMMAND_PLACEHOLDERS as readonly string[]).includes(name ?? "")) say(`Line ${i + 1}: unknown placeholder {${name}}; use ${COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`);
        }
      });
    }),
  /** seconds the command may run before it is killed and the weight change fails; 1–300, default 30 */
  timeoutSeconds: z
    .number({ error: "Enter a number of seconds" })
    .int("Enter whole seconds")
    .min(1, "1–300 seconds")
    .max(MAX_ROUTER_TIMEOUT_SECONDS, "1–300 seconds")
    .default(30),
  /** directory the command runs in, absolute; default: the server's working directory */
  workingDirectory: ZAbsoluteDir.optional(),
});

/** Router settings as stored (webhook secret encrypted). */
export const ZRouterConfig = z.discriminatedUnion("kind", [ZManualRouter, ZBuiltinRouter, ZNginxRouter, webhookRouter(ZStoredSecret), ZCommandRouter]);
export type TRouterConfig = z.infer<typeof ZRouterConfig>;
/** Router settings as the form sends them (webhook secret plaintext; empty keeps the stored one). */
export const ZRouterConfigInput = z.discriminatedUnion("kind", [ZManualRouter, ZBuiltinRouter, ZNginxRouter, webhookRouter(ZSecretInput), ZCommandRouter]);
export type TRouterConfigInput = z.infer<typeof ZRouterConfigInput>;
/** The router kinds an environment can use. */
export type RouterConfigKind = TRouterConfig["kind"];

/** A rollback hook that runs a program (no shell) with a time limit. */
const ZCommandHook = z.object({
  kind: z.literal("command"),
  /** absolute path of the program; it runs without a shell and without PATH lookup */
  command: z.string().trim().min(1, "Enter a program").max(1_000).refine((v) => path.isAbsolute(v), "Enter the program's absolute path, e.g. /usr/local/bin/migrate"),
  /** its arguments, passed as they are */
  args: z.array(z.string().max(2_000)).max(50, "At most 50 arguments"),
  /** how long it may run before it is killed and the step fails; at most 10 minutes */
  timeoutMs: z.number().int("Enter whole milliseconds").min(100, "At least 100 ms").max(MAX_HOOK_TIMEOUT_MS, "At most 10 minutes (600000 ms)"),
});
const webhookHook = <S extends z.ZodType>(secret: S) => z.object({ kind: z.literal("webhook"), url: ZWebhookUrl, secret });

/** One rollback hook as stored; null = not configured. */
export const ZHook = z.discriminatedUnion("kind", [ZCommandHook, webhookHook(ZStoredSecret)]).nullable();
export type THook = z.infer<typeof ZHook>;
/** One rollback hook as the form sends it. */
export const ZHookInput = z.discriminatedUnion("kind", [ZCommandHook, webhookHook(ZSecretInput)]).nullable();
export type THookInput = z.infer<typeof ZHookInput>;
/** The rollback procedure's hooks. */
export const HOOK_NAMES = ["dataMigration", "cacheInvalidation"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** The rollback hooks as stored; a missing hook is null. */
export const ZHooks = z.object({ dataMigration: ZHook.default(null), cacheInvalidation: ZHook.default(null) });
export type THooks = z.infer<typeof ZHooks>;

/**
 * The environment's guardrails (stored in the `limits` column): resource limits the CPU and memory
 * triggers measure against ("percent of limit"; absent = the default), and the business metric
 * the canary must not drop below relative to the baseline.
 */
export const ZLimits = z.object({
  /** business-metric trigger: roll back when the canary converts credibly less than baseline × (1 − allowedDropPct%) */
  businessMetric: z
    .object({
      name: z.string().trim().min(2, "At least 2 characters").max(80, "At most 80 characters"),
      allowedDropPct: z.number({ error: "Enter a percentage" }).min(1, "1–90%").max(90, "1–90%"),
    })
    .optional(),
  /** memory limit of each version, MB */
  memoryMb: z.number().int("Enter whole MB").min(1, "At least 1 MB").max(1_048_576, "At most 1048576 MB").optional(),
  /** CPU limit of each version, cores */
  cpuCores: z.number().gt(0, "More than 0 cores").max(1_024, "At most 1024 cores").optional(),
});
export type TLimits = z.infer<typeof ZLimits>;

/** What the settings form submits for one environment. */
export const ZEnvironmentConfigInput = z.object({
  serviceId: z.string().min(1).max(100),
  name: z.enum(["staging", "production"]),
  router: ZRouterConfigInput,
  hooks: z.object({ dataMigration: ZHookInput, cacheInvalidation: ZHookInput }),
  limits: ZLimits,
});
export type TEnvironmentConfigInput = z.infer<typeof ZEnvironmentConfigInput>;

/** The stored router settings; null when none are stored ({}), or when they do not parse. */
export function parseRouterConfig(json: unknown): TRouterConfig | null {
  if (isEmptyConfig(json)) return null;
  const parsed = ZRouterConfig.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The stored hooks; {} means none. Throws when the stored value does not parse. */
export function parseHooks(json: unknown): THooks {
  return ZHooks.parse(json ?? {});
}

/** The stored limits; {} means the defaults. Invalid stored limits count as unset. */
export function parseLimits(json: unknown): TLimits {
  const parsed = ZLimits.safeParse(json ?? {});
  return parsed.success ? parsed.data : {};
}

// ---------- what the browser sees: never a secret ----------

/** Router settings without the secret: `secretSet` says whether one is stored. */
export type PublicRouterConfig =
  | Exclude<TRouterConfig, { kind: "webhook" }>
  | { kind: "webhook"; url: string; secretSet: boolean };
/** A hook without its secret. */
export type PublicHook = Exclude<NonNullable<THook>, { kind: "webhook" }> | { kind: "webhook"; url: string; secretSet: boolean } | null;
/** An environment's settings as the settings page shows them. */
export type PublicEnvironmentConfig = { router: PublicRouterConfig | null; hooks: Record<HookName, PublicHook>; limits: TLimits };

export function publicEnvironmentConfig(row: { routerConfig: unknown; hooks: unknown; limits: unknown }): PublicEnvironmentConfig {
  const router = parseRouterConfig(row.routerConfig);
  const hooks = ZHooks.safeParse(row.hooks ?? {});
  const hide = (h: THook): PublicHook => (h?.kind === "webhook" ? { kind: "webhook", url: h.url, secretSet: h.secret.length > 0 } : h);
  return {
    router: router?.kind === "webhook" ? { kind: "webhook", url: router.url, secretSet: router.secret.length > 0 } : router,
    hooks: hooks.success
      ? { dataMigration: hide(hooks.data.dataMigration), cacheInvalidation: hide(hooks.data.cacheInvalidation) }
      : { dataMigration: null, cacheInvalidation: null },
    limits: parseLimits(row.limits),
  };
}
