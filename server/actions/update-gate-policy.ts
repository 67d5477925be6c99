"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateGatePolicy } from "../services/services-and-environments.ts";
import { ZGatePolicyInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Sets which findings block an environment's gates (admins). */
export async function updateGatePolicyAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateGatePolicy(db(), user, ZGatePolicyInput.parse(input));
    return null;
  });
}
