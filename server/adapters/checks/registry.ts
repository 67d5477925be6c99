import type { AgentName } from "../../core/types.ts";
import type { CheckRunner } from "../../engine/ports.ts";
import { notConfiguredRunner } from "./not-configured.ts";

/**
 * The check runner for an agent. Agents' real checks arrive with their own adapters; until an
 * agent has one, and whenever a service configures nothing for it, it reports not_configured.
 */
export function checkRunnerFor(_agent: AgentName, _config: unknown): CheckRunner {
  return notConfiguredRunner;
}
