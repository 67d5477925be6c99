"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { cancelFreeze } from "../services/change-freezes.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Cancels a change freeze (admins): runs into the environment are accepted again at once. */
export async function cancelChangeFreezeAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await cancelFreeze(db(), user, input);
    return null;
  });
}
