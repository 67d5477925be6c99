"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { previewEnvironmentPolicy, type RunWhatIf } from "../services/what-if.ts";
import { ZAnalysisPolicyInput } from "../services/analysis-policy-schema.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** What a proposed analysis policy would have done on the environment's last finished runs; nothing is saved (admins, before saving). */
export async function previewAnalysisPolicyAction(input: unknown): Promise<ActionResult<RunWhatIf[]>> {
  return actionResult(async () => {
    await requirePermission(await headers(), "settings.manage");
    const { environmentId, policy } = ZAnalysisPolicyInput.parse(input);
    return previewEnvironmentPolicy(db(), environmentId, policy);
  });
}
