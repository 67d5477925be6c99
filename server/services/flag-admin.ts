import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { can } from "../core/permissions.ts";
import { ZFlagValue, type FlagValue, type FlagVariant } from "../core/flags.ts";
import { RUN_STATUSES, TERMINAL_STATUSES } from "../core/types.ts";
import { writeAudit } from "../db/audit-log.ts";
import type { Db, Tx } from "../db/client.ts";
import { activeRunIn, runStatusOf } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";

// Flag administration (issue 15): an admin defines a flag's variants and default per service and
// environment in Settings; a flag run then rolls a variant out (server/adapters/routers/flag/).
// Every change is audited in the change's transaction and bumps `revision`, the ETag OFREP
// clients poll with, so a client sees an edited flag at its next poll.

/**
 * Keys an admin may create: lower-case, so `New-Checkout` and `new-checkout` can never be two
 * flags that a typo in an SDK call would confuse (OFREP itself accepts more, core/flags.ts).
 */
export const FLAG_ADMIN_KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const ZEnvironmentRef = {
  serviceId: z.string().min(1).max(100),
  environment: z.enum(["staging", "production"], { message: "Choose staging or production" }),
};

/** A variant's value as the form sends it: JSON text (false, "blue", 3, {"layout":"b"}). */
const ZVariantValueText = z
  .string()
  .trim()
  .min(1, "Enter the variant's value as JSON, e.g. true, false, \"blue\" or 3")
  .max(10_000, "At most 10,000 characters")
  .transform((text, ctx): FlagValue => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "Not valid JSON: write true, false, a number, a quoted string like \"blue\" or an object" });
      return z.NEVER;
    }
    const value = ZFlagValue.safeParse(parsed);
    if (!value.success) {
      ctx.addIssue({ code: "custom", message: "A value is true or false, a number, a string or an object (not null or a list)" });
      return z.NEVER;
    }
    return value.data;
  });

export const ZSaveFlagInput = z
  .object({
    ...ZEnvironmentRef,
    key: z.string().trim().regex(FLAG_ADMIN_KEY, "Lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (up to 64), e.g. new-checkout"),
    description: z.string().trim().max(500, "At most 500 characters").default(""),
    variants: z
      .array(
        z.object({
          name: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "Letters, digits, '.', '_' or '-', starting with a letter or digit (up to 64), e.g. on"),
          value: ZVariantValueText,
        }),
      )
      .min(2, "A flag needs at least two variants (e.g. off and on)")
      .max(20, "At most 20 variants"),
    defaultVariant: z.string().trim().min(1, "Choose the default variant"),
    /** absent: a new flag; present: the revision the editor loaded (someone else's change in between is refused) */
    revision: z.number().int().min(0).optional(),
  })
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.variants.forEach((v, i) => {
      const first = seen.get(v.name);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["variants", i, "name"], message: `Variant ${first + 1} is already called ${v.name}` });
      else seen.set(v.name, i);
    });
    if (!f.variants.some((v) => v.name === f.defaultVariant)) ctx.addIssue({ code: "custom", path: ["defaultVariant"], message: "The default must be one of the variants" });
  });
export type TSaveFlagInput = z.infer<typeof ZSaveFlagInput>;

export const ZListFlagsInput = z.object(ZEnvironmentRef);
export const ZDeleteFlagInput = z.object({ ...ZEnvironmentRef, key: z.string().trim().min(1).max(128) });
export type TDeleteFlagInput = z.infer<typeof ZDeleteFlagInput>;

/** A flag as Settings shows it. */
export type FlagItem = {
  key: string;
  description: string;
  variants: FlagVariant[];
  /** what everyone gets when no run rolls another variant out */
  defaultVariant: string;
  /** the run rolling a variant out, its variant and percentage; null when none is under way */
  rollout: { runId: string; variant: string; percent: number; active: boolean } | null;
  revision: number;
  updatedAt: string;
};

function notAdmin(): AppError {
  return new AppError("FORBIDDEN", { message: "flags need settings.manage", userMessage: "Only an admin can change feature flags." });
}

async function environmentOf(client: Db | Tx, serviceId: string, environment: string) {
  const env = await client.environment.findFirst({ where: { serviceId, name: environment }, select: { id: true, name: true, service: { select: { slug: true } } } });
  if (!env) throw new AppError("NOT_FOUND", { message: `environment ${serviceId}/${environment} not found`, userMessage: "That environment does not exist." });
  return env;
}

/** Whether the run that last rolled the flag is still going (a rolled-back or released run has ended). */
async function rolloutActive(db: Db, runId: string | null): Promise<boolean> {
  if (!runId) return false;
  const status = await runStatusOf(db, runId);
  return status !== null && !(TERMINAL_STATUSES as readonly string[]).includes(status);
}

const ACTIVE = RUN_STATUSES.filter((st) => !(TERMINAL_STATUSES as readonly string[]).includes(st));

/**
 * The run rolling this flag out, if one is in progress: by the flag's own record of its rollout,
 * or by the environment's active flag run (a run still at its checks or gate has not written that
 * record yet). Read under the environment's row lock, which creating a run takes too: a run
 * cannot start on the flag between this check and the change that follows it.
 */
async function runRollingOut(tx: Tx, environmentId: string, flag: { key: string; rolloutRunId: string | null }): Promise<string | null> {
  await tx.$queryRaw`SELECT id FROM "environment" WHERE id = ${environmentId} FOR UPDATE`;
  const active = await activeRunIn(tx, environmentId, ACTIVE);
  if (active?.kind === "flag" && active.flagKey === flag.key) return `run #${active.number}`;
  if (!flag.rolloutRunId) return null;
  const status = await runStatusOf(tx, flag.rolloutRunId);
  return status !== null && !(TERMINAL_STATUSES as readonly string[]).includes(status) ? `run ${flag.rolloutRunId}` : null;
}

/** The flags of one service's environment, by key. */
export async function listFlags(db: Db, serviceId: string, environment: string): Promise<FlagItem[]> {
  const env = await environmentOf(db, serviceId, environment);
  const rows = await db.featureFlag.findMany({ where: { environmentId: env.id }, orderBy: { key: "asc" } });
  return Promise.all(
    rows.map(async (r) => ({
      key: r.key,
      description: r.description,
      variants: r.variants as unknown as FlagVariant[],
      defaultVariant: r.defaultVariant,
      rollout: r.rolloutRunId && r.rolloutVariant ? { runId: r.rolloutRunId, variant: r.rolloutVariant, percent: r.rolloutPercent, active: await rolloutActive(db, r.rolloutRunId) } : null,
      revision: r.revision,
      updatedAt: r.updatedAt.toISOString(),
    })),
  );
}

const describeVariants = (variants: FlagVariant[]) => variants.map((v) => `${v.name}=${JSON.stringify(v.value)}`).join(", ");

/**
 * Creates a flag (no `revision`) or replaces an existing one's description, variants and default
 * (admins). While a run rolls the flag out only the description may change: the run's variant
 * and the default it falls back to must stay what the run was started with.
 */
export async function saveFlag(db: Db, actor: SessionUser, input: TSaveFlagInput): Promise<FlagItem> {
  if (!can(actor.role, "settings.manage")) throw notAdmin();
  const env = await environmentOf(db, input.serviceId, input.environment);
  const where = { environmentId_key: { environmentId: env.id, key: input.key } };
  const existing = await db.featureFlag.findUnique({ where });
  const variants = input.variants.map((v) => ({ name: v.name, value: v.value }));
  const place = `${env.service.slug}/${env.name}`;
  if (input.revision === undefined) {
    if (existing) throw fieldError("CONFLICT", "key", `A flag ${input.key} already exists in ${place}; edit it instead.`);
  } else {
    if (!existing) throw new AppError("NOT_FOUND", { message: `flag ${input.key} not found`, userMessage: `The flag ${input.key} no longer exists in ${place}.` });
    if (existing.revision !== input.revision) {
      throw new AppError("CONFLICT", { message: `flag ${input.key} at revision ${existing.revision}, edited from ${input.revision}`, userMessage: `The flag ${input.key} was changed since you opened it (by someone else or by a run). Reload and edit it again.` });
    }
  }
  const definitionChanged = existing !== null && (existing.defaultVariant !== input.defaultVariant || canonical(existing.variants) !== canonical(variants));
  await db.$transaction(async (tx) => {
    const rolling = existing && definitionChanged ? await runRollingOut(tx, env.id, existing) : null;
    if (rolling) {
      throw new AppError("CONFLICT", { message: `flag ${input.key} rolled out by ${rolling}`, userMessage: `A run is rolling ${input.key} out: its variants and default can change once the run has ended.` });
    }
    const data = { description: input.description, variants: variants as object[], defaultVariant: input.defaultVariant };
    // The revision is matched again inside the transaction: two admins saving at once, one wins.
    const written = existing
      ? await tx.featureFlag.updateMany({ where: { id: existing.id, revision: existing.revision }, data: { ...data, revision: { increment: 1 } } })
      : await tx.featureFlag.create({ data: { ...data, environmentId: env.id, key: input.key, revision: 1 } }).then(() => ({ count: 1 }));
    if (written.count !== 1) throw new AppError("CONFLICT", { message: `flag ${input.key} changed during save`, userMessage: `The flag ${input.key} was changed while you saved. Reload and edit it again.` });
    await writeAudit(tx, {
      actor,
      action: existing ? "flag.update" : "flag.create",
      summary: `${existing ? "Changed" : "Created"} flag ${input.key} in ${place}: variants ${describeVariants(variants)}; default ${input.defaultVariant}`,
      detail: {
        serviceId: input.serviceId,
        environment: input.environment,
        key: input.key,
        description: input.description,
        variants,
        defaultVariant: input.defaultVariant,
        ...(existing ? { previous: { variants: existing.variants, defaultVariant: existing.defaultVariant, description: existing.description, revision: existing.revision } } : {}),
      },
    });
  });
  const saved = (await listFlags(db, input.serviceId, input.environment)).find((f) => f.key === input.key);
  if (!saved) throw new Error(`flag ${input.key} missing right after it was saved`);
  return saved;
}

/** Deletes a flag (admins); refused while a run rolls it out, since the run's router writes to it. */
export async function deleteFlag(db: Db, actor: SessionUser, input: TDeleteFlagInput): Promise<void> {
  if (!can(actor.role, "settings.manage")) throw notAdmin();
  const env = await environmentOf(db, input.serviceId, input.environment);
  const where = { environmentId_key: { environmentId: env.id, key: input.key } };
  const existing = await db.featureFlag.findUnique({ where });
  const place = `${env.service.slug}/${env.name}`;
  if (!existing) throw new AppError("NOT_FOUND", { message: `flag ${input.key} not found`, userMessage: `There is no flag ${input.key} in ${place}.` });
  await db.$transaction(async (tx) => {
    const rolling = await runRollingOut(tx, env.id, existing);
    if (rolling) {
      throw new AppError("CONFLICT", { message: `flag ${input.key} rolled out by ${rolling}`, userMessage: `A run is rolling ${input.key} out; delete the flag once the run has ended.` });
    }
    await tx.featureFlag.delete({ where });
    await writeAudit(tx, {
      actor,
      action: "flag.delete",
      summary: `Deleted flag ${input.key} from ${place} (variants ${describeVariants(existing.variants as unknown as FlagVariant[])}; default ${existing.defaultVariant})`,
      detail: { serviceId: input.serviceId, environment: input.environment, key: input.key, variants: existing.variants, defaultVariant: existing.defaultVariant },
    });
  });
}

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep the order they were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function fieldError(code: "CONFLICT" | "BAD_REQUEST", field: string, message: string): AppError {
  return new AppError(code, { message, userMessage: "Please correct the highlighted fields.", fieldErrors: { [field]: [message] } });
}
