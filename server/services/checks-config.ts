import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import { isRecord } from "../adapters/checks/check-io.ts";
import { CHECK_CONFIG_KEYS, CHECK_CONFIG_SCHEMAS, type CheckConfigKey } from "../adapters/checks/config-schemas.ts";
import { expandPlaceholders, type PlaceholderValues } from "../core/placeholders.ts";
import { AppError } from "../errors.ts";
import { writeAudit } from "../db/audit-log.ts";
import { encryptSecret } from "../secrets.ts";
import { ENVIRONMENTS } from "../core/types.ts";

// An environment's agent configuration (`environment.checks`): one JSON object per agent, as the
// settings form edits it. Secrets are stored encrypted under `<name>Encrypted` (e.g. the
// post-deploy database's `dsnEncrypted`); the form shows a placeholder instead of the value, and
// a plain `<name>` typed into the form (`dsn`) is encrypted on the way in.

/** What the form shows in place of a stored secret; sending it back keeps the secret. */
export const KEEP_SECRET = "(stored encrypted — leave as is to keep it)";
/** Plain secret fields the form accepts and the database never stores as they are. */
const PLAIN_SECRETS = ["dsn"] as const;
/** Longest JSON text one agent's configuration may be. */
const MAX_CONFIG_CHARS = 64 * 1024;

export const ZChecksConfigInput = z.object({
  serviceId: z.string().min(1).max(100),
  name: z.enum(ENVIRONMENTS),
  /** JSON text per key; empty = not configured */
  configs: z.partialRecord(z.enum(CHECK_CONFIG_KEYS), z.string().max(MAX_CONFIG_CHARS, `At most ${MAX_CONFIG_CHARS} characters`)),
});
export type TChecksConfigInput = z.infer<typeof ZChecksConfigInput>;

/** Sample values for placeholders, so a configuration can be validated before any release fills it. */
const SAMPLE: PlaceholderValues = {
  targetVersion: "0.0.1",
  baselineVersion: "0.0.0",
  service: "service",
  environment: "staging",
  canaryUrl: "http://127.0.0.1:1",
  baselineUrl: "http://127.0.0.1:2",
};

/** The stored checks as pretty JSON per key, secrets replaced by KEEP_SECRET (for the browser). */
export function publicChecksConfig(stored: unknown): Partial<Record<CheckConfigKey, string>> {
  const out: Partial<Record<CheckConfigKey, string>> = {};
  if (!isRecord(stored)) return out;
  for (const key of CHECK_CONFIG_KEYS) {
    if (stored[key] !== undefined && stored[key] !== null) out[key] = JSON.stringify(hideSecrets(stored[key]), null, 2);
  }
  return out;
}

/**
 * Saves an environment's agent configuration in one transaction with its audit event. Every key
 * is parsed and validated (with placeholders filled by sample values) before anything is written:
 * one bad key refuses the whole save with field errors per key.
 */
export async function updateChecksConfig(db: Db, actor: SessionUser, input: TChecksConfigInput, encrypt: (plain: string) => string = (p) => encryptSecret(p)): Promise<void> {
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { serviceId: input.serviceId, name: input.name }, include: { service: true } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const stored = isRecord(env.checks) ? env.checks : {};
    const next: Record<string, unknown> = {};
    const errors: Record<string, string[]> = {};
    for (const key of CHECK_CONFIG_KEYS) {
      const text = input.configs[key]?.trim() ?? "";
      if (text === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        errors[`configs.${key}`] = [`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`];
        continue;
      }
      let withSecrets: unknown;
      try {
        withSecrets = storeSecrets(value, stored[key], encrypt);
      } catch (e) {
        if (!(e instanceof NoStoredSecret)) throw e;
        errors[`configs.${key}`] = [e.message];
        continue;
      }
      // SAMPLE fills every placeholder, so the schema sees values shaped like a release's.
      const sample = expandPlaceholders(withSecrets, SAMPLE);
      const checked = CHECK_CONFIG_SCHEMAS[key].safeParse(sample.ok ? sample.value : withSecrets);
      if (!checked.success) {
        errors[`configs.${key}`] = checked.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`);
        continue;
      }
      next[key] = withSecrets;
    }
    if (Object.keys(errors).length > 0) {
      throw new AppError("BAD_REQUEST", { message: "invalid checks configuration", userMessage: "Please correct the highlighted configurations.", fieldErrors: errors });
    }
    await tx.environment.update({ where: { id: env.id }, data: { checks: next as object } });
    const keys = Object.keys(next);
    await writeAudit(tx, {
      actor,
      action: "environment.checks",
      summary: `Configured checks for ${env.service.slug}/${env.name}: ${keys.length > 0 ? keys.join(", ") : "none"}`,
      detail: { serviceId: input.serviceId, name: input.name, configured: keys, previouslyConfigured: Object.keys(stored) },
    });
  });
}

/** The value with every `<name>Encrypted` field replaced by KEEP_SECRET. */
function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.endsWith("Encrypted") && typeof v === "string" ? KEEP_SECRET : hideSecrets(v)]));
}

/** A KEEP_SECRET with nothing stored to keep. */
class NoStoredSecret extends Error {}

/**
 * The value as it is stored: a plain secret (`dsn`) encrypted into `dsnEncrypted`, and KEEP_SECRET
 * put back to the stored ciphertext at the same place. Throws NoStoredSecret when there is none.
 */
function storeSecrets(value: unknown, stored: unknown, encrypt: (plain: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => storeSecrets(v, Array.isArray(stored) ? stored[i] : undefined, encrypt));
  if (!isRecord(value)) return value;
  const before = isRecord(stored) ? stored : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((PLAIN_SECRETS as readonly string[]).includes(k) && typeof v === "string" && v.length > 0) {
      out[`${k}Encrypted`] = encrypt(v);
    } else if (k.endsWith("Encrypted") && v === KEEP_SECRET) {
      const kept = before[k];
      if (typeof kept !== "string") throw new NoStoredSecret(`${k} has no stored secret to keep: enter the plain value as "${k.slice(0, -"Encrypted".length)}"`);
      out[k] = kept;
    } else {
      out[k] = storeSecrets(v, before[k], encrypt);
    }
  }
  return out;
}
