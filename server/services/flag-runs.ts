import type { RunFlag } from "../core/types.ts";
import { flagVersionLabel } from "../core/flag-runs.ts";
import type { Db } from "../db/client.ts";
import { environmentFlags } from "../db/flag-repository.ts";
import { AppError } from "../errors.ts";

/**
 * A flag run's flag, checked against the environment's flags before anything is written (issue
 * 15): the flag must exist there, the variant must be one of its own and not already its default.
 * The baseline is the flag's default now: what users not yet in the rollout get, and what a
 * rollback returns everyone to.
 */
export async function resolveRunFlag(
  db: Db,
  where: { environmentId: string; service: string; environment: string },
  input: { key: string; variant: string },
): Promise<{ flag: RunFlag; baselineLabel: string; targetLabel: string }> {
  const place = `${where.service}/${where.environment}`;
  const flags = await environmentFlags(db, where.environmentId);
  const found = flags.find((f) => f.key === input.key);
  if (!found) {
    const known = flags.length > 0 ? ` (flags there: ${flags.map((f) => f.key).join(", ")})` : " (it has no flags yet: an admin adds them in Settings)";
    throw new AppError("BAD_REQUEST", {
      message: `flag run: no flag ${input.key} in ${place}`,
      userMessage: `No flag ${input.key} in ${place}${known}.`,
      fieldErrors: { "flag.key": [`No flag ${input.key} in ${place}`] },
    });
  }
  const names = found.variants.map((v) => v.name);
  if (!names.includes(input.variant)) {
    throw new AppError("BAD_REQUEST", {
      message: `flag run: ${input.key} has no variant ${input.variant}`,
      userMessage: `Flag ${input.key} has no variant ${input.variant} (its variants: ${names.join(", ")}).`,
      fieldErrors: { "flag.variant": [`Flag ${input.key} has no variant ${input.variant}`] },
    });
  }
  if (input.variant === found.defaultVariant) {
    throw new AppError("BAD_REQUEST", {
      message: `flag run: ${input.variant} is already the default of ${input.key}`,
      userMessage: `${input.variant} is already what everyone gets from ${input.key} in ${place}: choose another variant.`,
      fieldErrors: { "flag.variant": [`${input.variant} is already the default of ${input.key}`] },
    });
  }
  const flag: RunFlag = { key: found.key, variant: input.variant, baselineVariant: found.defaultVariant };
  return { flag, baselineLabel: flagVersionLabel(flag.key, flag.baselineVariant), targetLabel: flagVersionLabel(flag.key, flag.variant) };
}

/** A flag New run offers: its variants, its default (the baseline) and the run rolling it out now, if any. */
export type RunnableFlag = {
  key: string;
  description: string;
  /** what everyone gets outside a rollout: a flag run's baseline */
  defaultVariant: string;
  variants: string[];
  /** a rollout in progress: its variant and share of users; null when none */
  rollout: { variant: string; percent: number } | null;
};

/** The flags of a service's environment that a flag run may roll out, for New run; null when the environment does not exist. */
export async function flagsForNewRun(db: Db, serviceId: string, environment: string): Promise<RunnableFlag[] | null> {
  const env = await db.environment.findFirst({ where: { serviceId, name: environment }, select: { id: true } });
  if (!env) return null;
  return (await environmentFlags(db, env.id)).map((f) => ({
    key: f.key,
    description: f.description,
    defaultVariant: f.defaultVariant,
    variants: f.variants.map((v) => v.name),
    rollout: f.rolloutVariant && f.rolloutPercent > 0 ? { variant: f.rolloutVariant, percent: f.rolloutPercent } : null,
  }));
}
