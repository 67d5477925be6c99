"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { revokeApiToken, ZRevokeApiTokenInput } from "../services/api-tokens.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Revokes an API token (admins): requests carrying it are refused from now on. */
export async function revokeApiTokenAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await revokeApiToken(db(), user, ZRevokeApiTokenInput.parse(input));
    return null;
  });
}
