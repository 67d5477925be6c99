"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { createService } from "../services/services-and-environments.ts";
import { ZServiceInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates a service with staging and production environments (admins). */
export async function createServiceAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    return createService(db(), user, ZServiceInput.parse(input));
  });
}
