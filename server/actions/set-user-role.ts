"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { ROLES } from "../core/types.ts";
import { db } from "../db/client.ts";
import { setUserRole } from "../services/users.ts";
import { actionResult, type ActionResult } from "./result.ts";

const ZSetUserRoleInput = z.object({ userId: z.string().min(1).max(100), role: z.enum(ROLES) });

/** Changes a user's role (admins); their sessions end so the new role applies at once. */
export async function setUserRoleAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "users.manage");
    const parsed = ZSetUserRoleInput.parse(input);
    await setUserRole(db(), user, parsed.userId, parsed.role);
    return null;
  });
}
