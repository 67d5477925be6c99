import type { AgentName } from "../../core/types.ts";
import type { CheckRunner } from "../../engine/ports.ts";
import { createAccessibilityRunner } from "./accessibility/accessibility-runner.ts";
import { devopsRunner } from "./devops/devops-runner.ts";
import { notConfiguredRunner } from "./not-configured.ts";
import { postDeployRunner } from "./post-deploy/post-deploy-runner.ts";
import { qaRunner } from "./qa/qa-runner.ts";
import { securityRunner } from "./security/security-runner.ts";
import { systemsRunner } from "./systems/systems-runner.ts";

/** What the check runners need from the process (env.ts). */
export type CheckRunnerOptions = {
  /** Chromium for the accessibility agent; default: the system's */
  chromiumPath?: string;
};

/**
 * The check runner for each agent. With nothing configured for the service and environment it
 * reports `not_configured`, never a pass; each runner validates its own configuration.
 */
export function createCheckRunners(options: CheckRunnerOptions = {}): (agent: AgentName, config: unknown) => CheckRunner {
  const runners: Record<AgentName, CheckRunner> = {
    "qa-test-engineer": qaRunner,
    "security-audit-specialist": securityRunner,
    "devops-engineer": devopsRunner,
    "systems-engineer": systemsRunner,
    "accessibility-expert": createAccessibilityRunner(options.chromiumPath ? { chromiumPath: options.chromiumPath } : {}),
    "post-deploy-health": postDeployRunner,
  };
  return (agent, config) => (config === undefined || config === null ? notConfiguredRunner : runners[agent]);
}
