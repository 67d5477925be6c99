"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { flagCache } from "../http/ofrep-routes.ts";
import { deleteFlag, ZDeleteFlagInput } from "../services/flag-admin.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Deletes a feature flag (admins); refused while a run rolls it out; audited. */
export async function deleteFlagAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await deleteFlag(db(), user, ZDeleteFlagInput.parse(input));
    flagCache().invalidate();
    return null;
  });
}
