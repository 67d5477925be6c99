import type { Db } from "../db/client.ts";
import { describePolicy, DEFAULT_ANALYSIS_POLICY } from "../core/analysis/analysis-policy.ts";
import type { SessionUser } from "../auth/session.ts";
import { writeAudit } from "../db/audit-log.ts";
import { AppError } from "../errors.ts";
import { parseAnalysisPolicy, type TAnalysisPolicyInput } from "./analysis-policy-schema.ts";

/**
 * Sets the analysis policy new runs in an environment get (confidence level, error and latency
 * thresholds). Runs already created keep the config they were created with (it is in their state).
 */
export async function updateAnalysisPolicy(db: Db, actor: SessionUser, input: TAnalysisPolicyInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findUnique({ where: { id: input.environmentId }, include: { service: { select: { slug: true } } } });
    if (!env) throw new AppError("NOT_FOUND", { message: "environment not found", userMessage: "That environment does not exist." });
    const before = parseAnalysisPolicy(env.analysisPolicy) ?? DEFAULT_ANALYSIS_POLICY;
    await tx.environment.update({ where: { id: env.id }, data: { analysisPolicy: input.policy } });
    await writeAudit(tx, {
      actor,
      action: "environment.analysis_policy",
      summary: `Set ${env.service.slug}/${env.name} analysis policy: ${describePolicy(before)} → ${describePolicy(input.policy)}`,
      detail: { environmentId: env.id, before, after: input.policy },
    });
  });
}
