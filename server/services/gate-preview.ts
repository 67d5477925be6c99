import { frozenMessage, utcMinute } from "../core/change-freeze.ts";
import { blockingSeverities } from "../core/judge.ts";
import { parseBlockingSeverity, policyFor } from "../core/policy.ts";
import { AGENTS_BY_PHASE, type CheckPhase, type Severity } from "../core/types.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { upcomingFreezes } from "./change-freezes.ts";
import { ZCreateRunFields } from "./schemas.ts";

/**
 * What the gate will require of a run not yet started (New run's preview, issue 11). Computed
 * with the very functions createRun and the gate use (policyFor with the environment's own gate
 * setting, the judge's blocking severities, the freeze check), so the preview cannot drift from
 * what the run will then be held to. Read-only: nothing is written.
 */

export const ZGatePreviewInput = ZCreateRunFields.pick({ serviceId: true, environment: true, risk: true, compliance: true });

export type GatePreview = {
  approvals: { required: number; separationOfDuties: boolean; sentence: string };
  /** finding severities that block the gate, most severe first */
  blockingSeverities: Severity[];
  blockingSeverityFrom: string;
  complianceRules: string[];
  freeze: { inEffect: boolean; sentence: string } | null;
  agents: { phase: CheckPhase; agents: string[] }[];
};

/** "1 approval from a release manager other than you", or that none is needed. */
function approvalSentence(required: number, separationOfDuties: boolean): string {
  if (required === 0) return "No approval is required by policy";
  const who = required === 1 ? "a release manager" : "release managers";
  return `${required} approval${required === 1 ? "" : "s"} from ${who}${separationOfDuties ? " other than you" : ""}`;
}

export async function gatePreview(db: Db, raw: unknown, now = Date.now()): Promise<GatePreview> {
  const input = ZGatePreviewInput.parse(raw);
  const env = await db.environment.findFirst({ where: { serviceId: input.serviceId, name: input.environment }, include: { service: { select: { name: true } } } });
  if (!env) {
    throw new AppError("NOT_FOUND", {
      message: `no ${input.environment} environment for service ${input.serviceId}`,
      userMessage: `This service has no ${input.environment} environment configured.`,
    });
  }
  // Exactly the policy createRun will store with the run.
  const policy = policyFor(input.risk, input.compliance, input.environment, { blockingSeverity: parseBlockingSeverity(env.blockingSeverity) });
  const f = (await upcomingFreezes(db, [env.id], now)).get(env.id);
  const window = f ? { id: "", reason: f.reason, startsAt: Date.parse(f.startsAt), endsAt: Date.parse(f.endsAt) } : null;
  return {
    approvals: { required: policy.requiredApprovals, separationOfDuties: policy.separationOfDuties, sentence: approvalSentence(policy.requiredApprovals, policy.separationOfDuties) },
    blockingSeverities: blockingSeverities(policy),
    blockingSeverityFrom: policy.blockingSeverityFrom ?? "the procedure's default",
    complianceRules: policy.complianceRules,
    freeze:
      f && window
        ? {
            inEffect: f.inEffect,
            sentence: f.inEffect
              ? frozenMessage(input.environment, env.service.name, window)
              : `A change freeze starts ${utcMinute(window.startsAt)} UTC and lasts until ${utcMinute(window.endsAt)} UTC: “${f.reason}”.`,
          }
        : null,
    agents: (Object.keys(AGENTS_BY_PHASE) as CheckPhase[]).map((phase) => ({ phase, agents: [...AGENTS_BY_PHASE[phase]] })),
  };
}
