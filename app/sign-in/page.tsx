import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userFromHeaders } from "@/server/auth/session";
import { runtime } from "@/server/runtime";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

// Why a single sign-on came back refused (Better Auth's ?error= codes), in words a person can act on.
const SSO_ERRORS: Record<string, string> = {
  account_not_linked:
    "A Flightdeck account with this e-mail already exists, and the sign-in provider has not verified the address, so it was not joined. Sign in with your password, or ask an admin.",
  access_denied: "Sign-in was cancelled at the sign-in provider.",
  email_not_found: "The sign-in provider did not share an e-mail address. Ask an admin to check the provider's settings.",
};

function ssoErrorMessage(code: string | string[] | undefined): string | null {
  if (typeof code !== "string" || code === "") return null;
  return SSO_ERRORS[code] ?? "Single sign-on did not complete. Try again, or sign in with your e-mail.";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await userFromHeaders(await headers()).catch(() => null);
  if (user) redirect("/runs");
  const ssoLabel = runtime().oidc?.label ?? null;
  const ssoError = ssoErrorMessage((await searchParams).error);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <p className="text-lg font-bold tracking-tight text-slate-900">
          <span aria-hidden="true">✈ </span>Flightdeck
        </p>
        <h1 className="mt-4 text-2xl font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 mb-5 text-sm text-slate-700">Release control room: checks, gates, rollout and rollback.</p>
        <SignInForm ssoLabel={ssoLabel} ssoError={ssoError} />
        <p className="mt-6 text-xs text-slate-700">
          First start? The admin password is printed in the server log and saved in .data/first-admin-password.
        </p>
      </div>
    </main>
  );
}
