"use server";
import { headers } from "next/headers";
import { APIError } from "better-auth/api";
import { getAuth } from "../auth/auth.ts";
import { OIDC_PROVIDER_ID } from "../auth/oidc.ts";
import { AppError } from "../errors.ts";
import { runtime } from "../runtime.ts";
import { actionResult, type ActionResult } from "./result.ts";

/**
 * Starts single sign-on: Better Auth stores the state and PKCE verifier (its state cookie reaches
 * the browser through nextCookies) and answers the provider's authorization URL, which the
 * sign-in page then opens. The provider sends the person back to /api/auth/callback/oidc, which
 * lands on /runs, or on /sign-in?error=… when the sign-in was refused.
 */
export async function signInWithSsoAction(): Promise<ActionResult<{ url: string }>> {
  return actionResult(async () => {
    if (!runtime().oidc) {
      throw new AppError("NOT_FOUND", { message: "single sign-on is not configured", userMessage: "Single sign-on is not set up on this Flightdeck." });
    }
    const res = await getAuth()
      .api.signInSocial({
        body: { provider: OIDC_PROVIDER_ID, callbackURL: "/runs", errorCallbackURL: "/sign-in" },
        headers: await headers(),
      })
      .catch((e: unknown) => {
        // Discovery is retried here when the provider was down at startup; still down is a 503.
        if (!(e instanceof APIError)) throw e;
        throw new AppError("UNAVAILABLE", {
          message: `single sign-on could not start: ${e.message}`,
          userMessage: "The sign-in provider could not be reached. Try again, or sign in with your e-mail.",
        });
      });
    if (!res.url) throw new Error("Better Auth answered no authorization URL");
    return { url: res.url };
  });
}
