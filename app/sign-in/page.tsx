import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userFromHeaders } from "@/server/auth/session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  const user = await userFromHeaders(await headers()).catch(() => null);
  if (user) redirect("/runs");
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <p className="text-lg font-bold tracking-tight text-slate-900">
          <span aria-hidden="true">✈ </span>Flightdeck
        </p>
        <h1 className="mt-4 text-2xl font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 mb-5 text-sm text-slate-700">Release control room: checks, gates, rollout and rollback.</p>
        <SignInForm />
        <p className="mt-6 text-xs text-slate-700">
          First start? The admin password is printed in the server log and saved in .data/first-admin-password.
        </p>
      </div>
    </main>
  );
}
