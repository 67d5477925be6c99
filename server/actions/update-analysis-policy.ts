"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateAnalysisPolicy } from "../services/analysis-policy.ts";
import { ZAnalysisPolicyInput } from "../services/analysis-policy-schema.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Sets the analysis policy (confidence level, thresholds) new runs in an environment get (admins). */
export async function updateAnalysisPolicyAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateAnalysisPolicy(db(), user, ZAnalysisPolicyInput.parse(input));
    return null;
  });
}
