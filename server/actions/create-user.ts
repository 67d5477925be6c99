"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { createUser } from "../services/users.ts";
import { ZCreateUserInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates a user with a role (admins). */
export async function createUserAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "users.manage");
    return createUser(db(), user, ZCreateUserInput.parse(input));
  });
}
