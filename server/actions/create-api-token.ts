"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { createApiToken, ZCreateApiTokenInput } from "../services/api-tokens.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates an API token (admins); the plain token is in the result and nowhere else, ever. */
export async function createApiTokenAction(input: unknown): Promise<ActionResult<{ id: string; name: string; scopes: string[]; token: string }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    return createApiToken(db(), user, ZCreateApiTokenInput.parse(input));
  });
}
