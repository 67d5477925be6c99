"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { revokeShareLink } from "../services/share-links.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Revokes a read-only link (release managers and admins): its holders lose access at their next request. */
export async function revokeShareLinkAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "run.create");
    await revokeShareLink(db(), user, input);
    return null;
  });
}
