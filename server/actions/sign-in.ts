"use server";
import { headers } from "next/headers";
import { APIError } from "better-auth/api";
import { getAuth } from "../auth/auth.ts";
import { ZSignInInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";
import { AppError } from "../errors.ts";

/** Signs in with e-mail and password; Better Auth sets the session cookie. */
export async function signInAction(input: unknown): Promise<ActionResult<{ name: string }>> {
  return actionResult(async () => {
    const { email, password } = ZSignInInput.parse(input);
    try {
      const res = await getAuth().api.signInEmail({ body: { email, password }, headers: await headers() });
      return { name: res.user.name };
    } catch (e) {
      if (e instanceof APIError) {
        throw new AppError("UNAUTHENTICATED", { message: `sign-in failed for ${email}: ${e.message}`, userMessage: "Wrong e-mail or password." });
      }
      throw e;
    }
  });
}
