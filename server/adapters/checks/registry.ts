import type { AgentName } from "../../core/types.ts";
import type { CheckRunner } from "../../engine/ports.ts";
import { devopsRunner } from "./devops/devops-runner.ts";
import { notConfiguredRunner } from "./not-configured.ts";
import { postDeployRunner } from "./post-deploy/post-deploy-runner.ts";
import { qaRunner } from "./qa/qa-runner.ts";

/** Agents with real checks so far; each validates its own configuration. */
const RUNNERS: Partial<Record<AgentName, CheckRunner>> = {
  "qa-test-engineer": qaRunner,
  "devops-engineer": devopsRunner,
  "post-deploy-health": postDeployRunner,
};

/**
 * The check runner for an agent. With nothing configured for the service and environment — or for
 * an agent whose checks do not exist yet (security, systems, accessibility) — it reports
 * `not_configured`, never a pass.
 */
export function checkRunnerFor(agent: AgentName, config: unknown): CheckRunner {
  if (config === undefined || config === null) return notConfiguredRunner;
  return RUNNERS[agent] ?? notConfiguredRunner;
}
