"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { flagCache } from "../http/ofrep-routes.ts";
import { saveFlag, ZSaveFlagInput, type FlagItem } from "../services/flag-admin.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates or edits a feature flag's variants and default (admins); audited. */
export async function saveFlagAction(input: unknown): Promise<ActionResult<FlagItem>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    const saved = await saveFlag(db(), user, ZSaveFlagInput.parse(input));
    // This instance's OFREP answers follow at once; other instances within the cache's refresh.
    flagCache().invalidate();
    return saved;
  });
}
