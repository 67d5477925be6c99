"use server";
import { headers } from "next/headers";
import { APIError } from "better-auth/api";
import { getAuth } from "../auth/auth.ts";
import { db } from "../db/client.ts";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address.ts";
import { guardSignIn, recordSignIn } from "../services/sign-in-guard.ts";
import { ZSignInInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";
import { AppError } from "../errors.ts";

/**
 * Signs in with e-mail and password; Better Auth sets the session cookie. Throttled per account
 * and per client address like the HTTP endpoint (services/sign-in-guard.ts).
 */
export async function signInAction(input: unknown): Promise<ActionResult<{ name: string }>> {
  return actionResult(async () => {
    const { email, password } = ZSignInInput.parse(input);
    const h = await headers();
    const attempt = { email, address: h.get(CLIENT_ADDRESS_HEADER) ?? "unknown" };
    await guardSignIn(db(), attempt);
    try {
      const res = await getAuth().api.signInEmail({ body: { email, password }, headers: h });
      await recordSignIn(db(), { ...attempt, ok: true });
      return { name: res.user.name };
    } catch (e) {
      if (e instanceof APIError) {
        await recordSignIn(db(), { ...attempt, ok: false });
        throw new AppError("UNAUTHENTICATED", { message: `sign-in failed for ${email}: ${e.message}`, userMessage: "Wrong e-mail or password." });
      }
      throw e;
    }
  });
}
