import * as z from "zod/mini";
import { SEVERITIES } from "../core/types.ts";

/**
 * GET /api/services: services with their environments, as the settings page and the new-run form
 * read them. Never a secret: webhook secrets are only `secretSet`. The route sends this shape and
 * the page parses it with this schema (components/query/fetch-json.ts).
 */

const ZPublicRouter = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("manual") }),
  z.object({ kind: z.literal("builtin"), listenPort: z.number(), baselineUrl: z.string(), canaryUrl: z.string() }),
  z.object({ kind: z.literal("nginx"), listenPort: z.number(), prefix: z.string(), baselineUpstream: z.string(), canaryUpstream: z.string() }),
  z.object({ kind: z.literal("webhook"), url: z.string(), secretSet: z.boolean() }),
  z.object({ kind: z.literal("command"), command: z.array(z.string()), timeoutSeconds: z.number(), workingDirectory: z.optional(z.string()) }),
]);
const ZPublicHook = z.nullable(
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("command"), command: z.string(), args: z.array(z.string()), timeoutMs: z.number() }),
    z.object({ kind: z.literal("webhook"), url: z.string(), secretSet: z.boolean() }),
  ]),
);
const ZPublicLimits = z.object({
  businessMetric: z.optional(z.object({ name: z.string(), allowedDropPct: z.number() })),
  memoryMb: z.optional(z.number()),
  cpuCores: z.optional(z.number()),
});

export const ZPublicEnvironmentConfig = z.object({
  router: z.nullable(ZPublicRouter),
  hooks: z.object({ dataMigration: ZPublicHook, cacheInvalidation: ZPublicHook }),
  limits: ZPublicLimits,
});
export type PublicEnvironmentConfig = z.infer<typeof ZPublicEnvironmentConfig>;
export type PublicRouterConfig = z.infer<typeof ZPublicRouter>;
export type PublicHook = z.infer<typeof ZPublicHook>;

export const ZServiceItem = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  currentVersion: z.string(),
  runbook: z.string(),
  /** the service's emergency contacts in calling order; null for those who do not manage settings (the run page shows them to everyone) */
  contacts: z.nullable(z.array(z.object({ name: z.string(), role: z.string(), reach: z.string() }))),
  environments: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      holdScale: z.number(),
      /** gate policy: findings at or above this block; null = the procedure's default */
      blockingSeverity: z.nullable(z.enum(SEVERITIES)),
      /** analysis policy for new runs (fractions); null = the procedure's default */
      analysisPolicy: z.nullable(
        z.object({
          confidence: z.union([z.literal(0.95), z.literal(0.99), z.literal(0.999)]),
          errorRollbackAbove: z.number(),
          errorHoldAbove: z.nullable(z.number()),
          p95Factor: z.number(),
          p95Hold: z.nullable(z.object({ factor: z.number(), share: z.number() })),
          p99Factor: z.number(),
        }),
      ),
      router: z.string(),
      /** the change freeze in effect, or the next one within a week (New run warns) */
      freeze: z.nullable(z.object({ reason: z.string(), startsAt: z.string(), endsAt: z.string(), inEffect: z.boolean() })),
      checksConfigured: z.array(z.string()),
      /** each agent's configuration as pretty JSON, stored secrets replaced by a placeholder; only for those who manage settings */
      checks: z.record(z.string(), z.optional(z.string())),
      /**
       * router settings, rollback hooks and limits, secrets only as `secretSet`; null for those
       * who do not manage settings (hook command lines and internal router addresses are not
       * theirs to read)
       */
      config: z.nullable(ZPublicEnvironmentConfig),
    }),
  ),
});
export type ServiceItem = z.infer<typeof ZServiceItem>;
export const ZServiceList = z.array(ZServiceItem);
