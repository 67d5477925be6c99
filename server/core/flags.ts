import { z } from "zod";

/**
 * Feature flags served over OFREP (OpenFeature Remote Evaluation Protocol): bucketing and
 * evaluation. Pure: the service loads the flag row, this decides what a context evaluates to.
 */

/** OFREP flag keys: letters, digits, '-', '_', '.', 1–128 chars, starting with a letter or digit. */
export const FLAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const ZFlagValue = z.union([z.boolean(), z.string().max(10_000), z.number().finite(), z.record(z.string(), z.unknown())]);
export type FlagValue = z.infer<typeof ZFlagValue>;

export const ZVariant = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "Letters, digits, '.', '_' or '-' (up to 64)"),
  value: ZFlagValue,
});
export type FlagVariant = z.infer<typeof ZVariant>;

/** A flag's definition as stored; variants must be unique and the default one of them. */
export const ZFlagDefinition = z
  .object({
    key: z.string().regex(FLAG_KEY, "Letters, digits, '.', '_' or '-', starting with a letter or digit (up to 128)"),
    variants: z.array(ZVariant).min(2, "A flag needs at least two variants").max(20),
    defaultVariant: z.string().min(1, "Choose the default variant"),
  })
  .superRefine((f, ctx) => {
    const names = f.variants.map((v) => v.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["variants", i, "name"], message: `Variant "${n}" appears twice` });
    });
    if (!names.includes(f.defaultVariant)) ctx.addIssue({ code: "custom", path: ["defaultVariant"], message: "The default must be one of the variants" });
  });

export interface FlagState {
  key: string;
  variants: FlagVariant[];
  defaultVariant: string;
  /** the variant being rolled out by a flag run, if any, to rolloutPercent of targeting keys */
  rolloutVariant: string | null;
  rolloutPercent: number;
  rolloutRunId: string | null;
}

/** Buckets are 0..9999, so a percentage maps to whole buckets down to 0.01%. */
export const BUCKETS = 10_000;

/** MurmurHash3 (x86, 32-bit) of UTF-8 bytes: fast, well spread, and the same in every runtime. */
export function murmur3(text: string, seed = 0): number {
  const bytes = new TextEncoder().encode(text);
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const tail = bytes.length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const rest = bytes.length & 3;
  if (rest === 3) k ^= (bytes[tail + 2] ?? 0) << 16;
  if (rest >= 2) k ^= (bytes[tail + 1] ?? 0) << 8;
  if (rest >= 1) {
    k ^= bytes[tail] ?? 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A targeting key's bucket for a flag: a stable hash (murmur3 of flagKey NUL targetingKey), so
 * the same user lands in the same bucket on every instance and every evaluation. Hashing the flag
 * key too keeps one flag's 5% from being the same users as another's.
 */
export function bucketOf(flagKey: string, targetingKey: string): number {
  return murmur3(`${flagKey}\u0000${targetingKey}`) % BUCKETS;
}

/**
 * In the rollout at `percent`? bucket < percent*100: monotone — a key in at 5% is in at every
 * larger percentage (sticky as the rollout grows), and nobody is in at 0%.
 */
export function inRollout(flagKey: string, targetingKey: string, percent: number): boolean {
  const p = Math.max(0, Math.min(100, percent));
  return bucketOf(flagKey, targetingKey) < Math.round(p * (BUCKETS / 100));
}

export type OfrepReason = "TARGETING_MATCH" | "SPLIT" | "DEFAULT" | "STATIC";
export type OfrepErrorCode = "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "FLAG_NOT_FOUND" | "GENERAL";

export interface OfrepSuccess {
  key: string;
  value: FlagValue;
  reason: OfrepReason;
  variant: string;
  metadata: { runId?: string; percent?: number; revision?: number };
}
export interface OfrepFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}
export type OfrepResult = { ok: true; status: 200; body: OfrepSuccess } | { ok: false; status: 400 | 404; body: OfrepFailure };

/** The evaluation context an OFREP request carries: `{ context: { targetingKey?, ... } }`. */
export function parseOfrepContext(body: unknown): { ok: true; context: Record<string, unknown> } | { ok: false; details: string } {
  if (body === undefined || body === null) return { ok: true, context: {} };
  if (typeof body !== "object" || Array.isArray(body)) return { ok: false, details: "The request body must be a JSON object" };
  const ctx = (body as { context?: unknown }).context;
  if (ctx === undefined) return { ok: true, context: {} };
  if (typeof ctx !== "object" || ctx === null || Array.isArray(ctx)) return { ok: false, details: "context must be an object" };
  const tk = (ctx as { targetingKey?: unknown }).targetingKey;
  if (tk !== undefined && (typeof tk !== "string" || tk.length > 1000)) return { ok: false, details: "context.targetingKey must be a string (up to 1000 chars)" };
  return { ok: true, context: ctx as Record<string, unknown> };
}

function valueOf(flag: FlagState, variant: string): FlagValue {
  const v = flag.variants.find((x) => x.name === variant);
  return v ? v.value : (flag.variants[0]?.value ?? false);
}

/**
 * Evaluate one flag for a context. No rollout (or 0% with nobody in): the default, STATIC.
 * A rollout in progress (0 < percent < 100) needs a targeting key to split on; without one the
 * answer is TARGETING_KEY_MISSING rather than silently the default, so a misconfigured client
 * is visible. A rollout at 100% serves the new variant to everyone (TARGETING_MATCH).
 */
export function evaluateFlag(flag: FlagState | null, key: string, context: Record<string, unknown>, revision?: number): OfrepResult {
  if (!flag) return { ok: false, status: 404, body: { key, errorCode: "FLAG_NOT_FOUND", errorDetails: `No flag "${key}" in this environment` } };
  const meta = (extra: { percent?: number }) => ({
    ...(flag.rolloutRunId ? { runId: flag.rolloutRunId } : {}),
    ...extra,
    ...(revision !== undefined ? { revision } : {}),
  });
  const rolling = flag.rolloutVariant !== null && flag.rolloutVariant !== flag.defaultVariant;
  if (!rolling || flag.rolloutPercent <= 0) {
    const reason: OfrepReason = rolling ? "DEFAULT" : "STATIC";
    return { ok: true, status: 200, body: { key, value: valueOf(flag, flag.defaultVariant), reason, variant: flag.defaultVariant, metadata: meta(rolling ? { percent: 0 } : {}) } };
  }
  const variant = flag.rolloutVariant as string;
  if (flag.rolloutPercent >= 100) {
    return { ok: true, status: 200, body: { key, value: valueOf(flag, variant), reason: "TARGETING_MATCH", variant, metadata: meta({ percent: 100 }) } };
  }
  const tk = context.targetingKey;
  if (typeof tk !== "string" || tk === "") {
    return { ok: false, status: 400, body: { key, errorCode: "TARGETING_KEY_MISSING", errorDetails: `Flag "${key}" is being rolled out to ${flag.rolloutPercent}%: send context.targetingKey (a stable user id)` } };
  }
  const chosen = inRollout(key, tk, flag.rolloutPercent) ? variant : flag.defaultVariant;
  return { ok: true, status: 200, body: { key, value: valueOf(flag, chosen), reason: "SPLIT", variant: chosen, metadata: meta({ percent: flag.rolloutPercent }) } };
}

/** What a flag run may roll out: a known variant other than the current default, percent 0–100. */
export function flagRolloutProblems(flag: FlagState | null, variant: string, percent = 0): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!flag) return { flagKey: "No such flag in this environment" };
  if (!flag.variants.some((v) => v.name === variant)) errors.flagVariant = `Unknown variant "${variant}"`;
  else if (variant === flag.defaultVariant) errors.flagVariant = `"${variant}" is already the default`;
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) errors.percent = "A percentage from 0 to 100";
  return errors;
}
