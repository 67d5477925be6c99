"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { scheduleFreeze } from "../services/change-freezes.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Schedules a change freeze on an environment (admins). */
export async function scheduleChangeFreezeAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    return scheduleFreeze(db(), user, input);
  });
}
