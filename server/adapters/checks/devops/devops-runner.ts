import { SUB_CHECK } from "../../../core/success-criteria.ts";
import type { CheckContext, CheckRunner } from "../../../engine/ports.ts";
import { runSubChecks, type SubCheck } from "../sub-checks.ts";
import { checkAlertRules } from "./alert-rules.ts";
import { checkBackup } from "./backup.ts";
import { ZDevopsConfig, type TDevopsConfig } from "./config.ts";
import { checkFeatureFlags } from "./feature-flags.ts";
import { checkManifests } from "./manifests.ts";
import { checkRollbackTarget } from "./rollback-target.ts";

/**
 * The devops-engineer agent: Kubernetes manifests, backup freshness, alert rules, rollback target
 * and feature flags, one after the other with progress and log lines (see runSubChecks for how
 * the outcome is decided).
 */
export const devopsRunner: CheckRunner = { run: (ctx) => runSubChecks(ctx, { label: "devops-engineer", schema: ZDevopsConfig, subChecks }) };

function subChecks(config: TDevopsConfig, ctx: CheckContext): SubCheck[] {
  const { backup, alertRulePaths, rollbackTarget, featureFlags } = config;
  const environment = config.environment ?? ctx.environment;
  return [
    { name: "Kubernetes manifests", run: (sub) => checkManifests(config.manifestPaths, environment, sub) },
    { name: "backup freshness", run: backup === undefined ? null : (sub) => checkBackup(backup, sub) },
    { name: SUB_CHECK.alertRules, run: alertRulePaths === undefined ? null : (sub) => checkAlertRules(alertRulePaths, sub) },
    { name: SUB_CHECK.rollbackTarget, run: rollbackTarget === undefined ? null : (sub) => checkRollbackTarget(rollbackTarget, sub) },
    { name: "feature flags", run: featureFlags === undefined ? null : (sub) => checkFeatureFlags(featureFlags, sub) },
  ];
}
