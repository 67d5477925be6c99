"use server";
import { headers } from "next/headers";
import { getAuth } from "../auth/auth.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Ends the current session. */
export async function signOutAction(): Promise<ActionResult<null>> {
  return actionResult(async () => {
    await getAuth().api.signOut({ headers: await headers() });
    return null;
  });
}
