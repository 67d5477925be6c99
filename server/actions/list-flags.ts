"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { listFlags, ZListFlagsInput, type FlagItem } from "../services/flag-admin.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** An environment's feature flags, for the Settings form (admins). */
export async function listFlagsAction(input: unknown): Promise<ActionResult<FlagItem[]>> {
  return actionResult(async () => {
    await requirePermission(await headers(), "settings.manage");
    const { serviceId, environment } = ZListFlagsInput.parse(input);
    return listFlags(db(), serviceId, environment);
  });
}
