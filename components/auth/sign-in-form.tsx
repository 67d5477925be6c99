"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { signInAction } from "@/server/actions/sign-in";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, controlClasses } from "@/components/ui/field";

export function SignInForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

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
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
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
  );
}
