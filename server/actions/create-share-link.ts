"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { createShareLink } from "../services/share-links.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates a read-only link to a run or a service's releases (release managers and admins); its secret is in the result only. */
export async function createShareLinkAction(input: unknown): Promise<ActionResult<{ id: string; token: string; expiresAt: string }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "run.create");
    return createShareLink(db(), user, input as never);
  });
}
