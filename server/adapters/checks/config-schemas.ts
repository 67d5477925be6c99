import type { z } from "zod";
import { AGENT_NAMES } from "../../core/types.ts";
import { ZAccessibilityConfig } from "./accessibility/config.ts";
import { ZDevopsConfig } from "./devops/config.ts";
import { ZPostDeployConfig } from "./post-deploy/config.ts";
import { ZQaConfig } from "./qa/config.ts";
import { ZReleaseRecordConfig } from "./release-record-material.ts";
import { ZSecurityConfig } from "./security/config.ts";
import { ZSystemsConfig } from "./systems/config.ts";

// Only the agents' configuration schemas, without their runners: the settings pages import this,
// and must not pull a browser driver or a load generator into the web server's bundle.

/** Every agent, in procedure order. */
export { AGENT_NAMES };

/** Keys of an environment's `checks` JSON: one per agent, plus the release record's sources. */
export const CHECK_CONFIG_KEYS = [...AGENT_NAMES, "code-architect"] as const;
export type CheckConfigKey = (typeof CHECK_CONFIG_KEYS)[number];

/** Each key's configuration schema, for the settings form (the runners validate again at run time). */
export const CHECK_CONFIG_SCHEMAS: Record<CheckConfigKey, z.ZodType> = {
  "qa-test-engineer": ZQaConfig,
  "security-audit-specialist": ZSecurityConfig,
  "devops-engineer": ZDevopsConfig,
  "systems-engineer": ZSystemsConfig,
  "accessibility-expert": ZAccessibilityConfig,
  "post-deploy-health": ZPostDeployConfig,
  "code-architect": ZReleaseRecordConfig,
};
