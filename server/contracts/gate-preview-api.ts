import * as z from "zod/mini";
import { SEVERITIES } from "../core/types.ts";

/**
 * GET /api/gate-preview?serviceId&environment&risk&compliance: what the gate will require of a run
 * with those settings (server/services/gate-preview.ts). New run parses the answer with this schema,
 * loaded with its own chunk (components/runs/gate-preview.tsx).
 */
export const ZGatePreview = z.object({
  approvals: z.object({ required: z.number(), separationOfDuties: z.boolean(), sentence: z.string() }),
  blockingSeverities: z.array(z.enum(SEVERITIES)),
  blockingSeverityFrom: z.string(),
  complianceRules: z.array(z.string()),
  freeze: z.nullable(z.object({ inEffect: z.boolean(), sentence: z.string() })),
  agents: z.array(z.object({ phase: z.enum(["pre_deploy", "build", "post_deploy"]), agents: z.array(z.string()) })),
});
