"use client";
import { useEffect, useId, useRef, useState } from "react";
import { createShareLinkAction } from "@/server/actions/create-share-link";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, controlClasses } from "@/components/ui/field";
import { LocalTime } from "@/components/ui/local-time";

const EXPIRIES = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 24 * 7, label: "7 days" },
  { hours: 24 * 30, label: "30 days" },
] as const;

type Target = { kind: "run"; runId: string } | { kind: "service"; serviceId: string };

/**
 * "Share read-only link": for stakeholders without an account. The link is shown once (only its
 * hash is kept); whoever holds it sees the live page without controls until it expires or is
 * revoked in Settings.
 */
export function ShareLinkButton({ target, what }: { target: Target; what: string }) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [created, setCreated] = useState<{ url: string; expiresAt: string } | null>(null);
  const close = () => {
    setOpen(false);
    setError(null);
    setFieldErrors({});
    setCreated(null);
  };

  async function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    setPending(true);
    setError(null);
    try {
      const result = await createShareLinkAction({ target, expiresInHours: Number(data.get("expires")), label: String(data.get("label") ?? "") });
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      setCreated({ url: `${window.location.origin}/share/${result.data.token}`, expiresAt: result.data.expiresAt });
    } catch {
      setError("Flightdeck could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} aria-label={`Share read-only link to ${what}`}>
        Share read-only link
      </Button>
      <Dialog open={open} onClose={close} title={`Share ${what}`} description="Anyone with the link sees the live page without signing in: status, steps, charts and verdicts; no controls, settings, logs or command lines. Every view is audited.">
        {created ? (
          <CreatedLink url={created.url} expiresAt={created.expiresAt} onDone={close} />
        ) : (
          <form
            noValidate
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              void submit(e.currentTarget);
            }}
          >
            {error ? <Alert tone="error">{error}</Alert> : null}
            <Field label="Works for" error={fieldErrors.expiresInHours}>
              {(p) => (
                <select {...p} name="expires" defaultValue={24} className={controlClasses}>
                  {EXPIRIES.map((e) => (
                    <option key={e.hours} value={e.hours}>
                      {e.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Label (optional)" error={fieldErrors.label} hint="Who it is for, e.g. “support leads”; shown in Settings and the audit trail.">
              {(p) => <input {...p} name="label" maxLength={80} autoComplete="off" className={controlClasses} />}
            </Field>
            <div className="flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" pending={pending}>
                Create link
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}

function CreatedLink({ url, expiresAt, onDone }: { url: string; expiresAt: string; onDone: () => void }) {
  const inputId = useId();
  const noteId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  // The outcome of the dialog gets the focus: the link, selected, ready to copy.
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [url]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      input.current?.select();
      setCopied("failed");
    }
  }
  return (
    <div className="space-y-3">
      <Alert tone="warning" title="Link created">
        <p id={noteId}>
          Copy it now: it is not shown again. It works until <LocalTime value={expiresAt} />, or until revoked in Settings.
        </p>
      </Alert>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-900">
        Read-only link
      </label>
      <div className="flex flex-wrap gap-2">
        <input ref={input} id={inputId} readOnly value={url} aria-describedby={noteId} spellCheck={false} className={`${controlClasses} min-w-0 flex-1 font-mono text-xs`} />
        <Button variant="secondary" onClick={() => void copy()}>
          Copy
        </Button>
      </div>
      <p role="status" className="text-sm text-slate-700">
        {copied === "yes" ? "Copied." : copied === "failed" ? "Copying was refused by the browser: the link is selected, copy it by hand." : ""}
      </p>
      <div className="flex justify-end">
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}
