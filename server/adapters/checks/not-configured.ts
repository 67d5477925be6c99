import type { CheckContext, CheckResult, CheckRunner } from "../../engine/ports.ts";

/**
 * The runner for an agent with nothing configured for this service and environment. It never
 * reports a pass it did not earn: no sub-check ran, the core judges it `not_configured`, and policy
 * decides whether that blocks (in production it does, unless a release manager waives it).
 */
export const notConfiguredRunner: CheckRunner = {
  async run(ctx: CheckContext): Promise<CheckResult> {
    await ctx.log(`No ${ctx.agent} checks are configured for ${ctx.service} in ${ctx.environment}.`);
    await ctx.progress(100);
    return { checks: [], summary: `No checks configured for ${ctx.environment}`, findings: [] };
  },
};
