import type { SessionUser } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { writeAudit } from "../db/audit-log.ts";
import {
  parseRouterConfig,
  publicEnvironmentConfig,
  ZHooks,
  type THook,
  type THookInput,
  type TEnvironmentConfigInput,
  type TRouterConfig,
  type TRouterConfigInput,
} from "../db/environment-config-schema.ts";
import { encryptSecret } from "../secrets.ts";

/** Encrypts a secret for storage (secrets.ts's `encryptSecret` with the session secret, unless a test passes its own). */
export type Encrypt = (plaintext: string) => string;

/**
 * Saves an environment's router settings, rollback hooks and limits in one transaction with its
 * audit event. A webhook secret left empty keeps the stored one (if the stored settings are a
 * webhook too); a new webhook without a secret is refused. The audit detail never holds a secret.
 */
export async function updateEnvironmentConfig(db: Db, actor: SessionUser, input: TEnvironmentConfigInput, encrypt: Encrypt = (p) => encryptSecret(p)): Promise<void> {
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { serviceId: input.serviceId, name: input.name }, include: { service: true } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const storedHooks = ZHooks.safeParse(env.hooks ?? {});
    const router = routerToStore(input.router, parseRouterConfig(env.routerConfig), encrypt);
    const hooks = {
      dataMigration: hookToStore(input.hooks.dataMigration, storedHooks.success ? storedHooks.data.dataMigration : null, encrypt, "hooks.dataMigration.secret"),
      cacheInvalidation: hookToStore(input.hooks.cacheInvalidation, storedHooks.success ? storedHooks.data.cacheInvalidation : null, encrypt, "hooks.cacheInvalidation.secret"),
    };
    const limits = Object.fromEntries(Object.entries(input.limits).filter(([, v]) => v !== undefined));
    await tx.environment.update({
      where: { id: env.id },
      // Manual stores {} (nothing to configure), so the registry skips it.
      data: { router: router.kind, routerConfig: router.kind === "manual" ? {} : router, hooks, limits },
    });
    const shown = publicEnvironmentConfig({ routerConfig: router, hooks, limits });
    await writeAudit(tx, {
      actor,
      action: "environment.config",
      summary: `Configured ${env.service.slug}/${env.name}: ${router.kind} router, data-migration hook ${hookSummary(hooks.dataMigration)}, cache hook ${hookSummary(hooks.cacheInvalidation)}`,
      detail: { serviceId: input.serviceId, name: input.name, previousRouter: env.router, ...shown },
    });
  });
}

function routerToStore(input: TRouterConfigInput, stored: TRouterConfig | null, encrypt: Encrypt): TRouterConfig {
  if (input.kind !== "webhook") return input;
  return { kind: "webhook", url: input.url, secret: secretToStore(input.secret, stored?.kind === "webhook" ? stored.secret : null, encrypt, "router.secret") };
}

function hookToStore(input: THookInput, stored: THook, encrypt: Encrypt, field: string): THook {
  if (input === null || input.kind === "command") return input;
  return { kind: "webhook", url: input.url, secret: secretToStore(input.secret, stored?.kind === "webhook" ? stored.secret : null, encrypt, field) };
}

function secretToStore(typed: string | undefined, stored: string | null, encrypt: Encrypt, field: string): string {
  if (typed !== undefined && typed.length > 0) return encrypt(typed);
  if (stored !== null) return stored;
  throw new AppError("BAD_REQUEST", {
    message: `${field} missing for a new webhook`,
    userMessage: "Please correct the highlighted fields.",
    fieldErrors: { [field]: ["Enter the shared secret"] },
  });
}

function hookSummary(hook: THook): string {
  return hook === null ? "none" : hook.kind;
}
