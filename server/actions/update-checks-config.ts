"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateChecksConfig, ZChecksConfigInput } from "../services/checks-config.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Saves an environment's agent configuration (admins); every key is validated before anything is written. */
export async function updateChecksConfigAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateChecksConfig(db(), user, ZChecksConfigInput.parse(input));
    return null;
  });
}
