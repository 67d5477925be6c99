"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { signInAction } from "@/server/actions/sign-in";
import { signInWithSsoAction } from "@/server/actions/sign-in-sso";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, controlClasses } from "@/components/ui/field";

/** `ssoLabel`: single sign-on's button text when it is configured; `ssoError`: why the last one was refused. */
export function SignInForm({ ssoLabel = null, ssoError = null }: { ssoLabel?: string | null; ssoError?: string | null }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [ssoPending, setSsoPending] = useState(false);
  const [error, setError] = useState<string | null>(ssoError);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  async function onSso() {
    setSsoPending(true);
    setError(null);
    const result = await signInWithSsoAction().catch(() => null);
    if (result?.ok) {
      // The provider's own sign-in page; it sends the person back to Flightdeck.
      window.location.assign(result.data.url);
      return;
    }
    setSsoPending(false);
    setError(result ? result.error : "Flightdeck could not be reached. Try again.");
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const result = await signInAction({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") }).catch(() => null);
    if (result === null) {
      // The server is restarting or unreachable: say so and let the person try again.
      setPending(false);
      setError("Flightdeck could not be reached. Try again.");
      return;
    }
    if (result.ok) {
      router.push("/runs");
      router.refresh();
      return;
    }
    setPending(false);
    setError(result.error);
    setFieldErrors(result.fieldErrors ?? {});
  }

  return (
    <div className="space-y-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
      {ssoLabel ? (
        <>
          <Button variant="secondary" pending={ssoPending} disabled={pending} onClick={onSso} className="w-full">
            {ssoPending ? "Opening sign-in…" : `Sign in with ${ssoLabel}`}
          </Button>
          <p className="text-center text-xs text-slate-700">or with your Flightdeck e-mail and password</p>
        </>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <Field label="E-mail" error={fieldErrors.email}>
          {(p) => <input {...p} name="email" type="email" autoComplete="username" required className={controlClasses} />}
        </Field>
        <Field label="Password" error={fieldErrors.password}>
          {(p) => <input {...p} name="password" type="password" autoComplete="current-password" required className={controlClasses} />}
        </Field>
        <Button type="submit" pending={pending} className="w-full">
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </div>
  );
}
