"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import type { ActionResult } from "@/server/actions/result";
import { Alert } from "./alert";
import { Button } from "./button";
import { Dialog } from "./dialog";

/**
 * A small button that opens a confirmation dialog and runs a server action (revoke a token, a
 * share link…): pending while it runs, the action's refusal shown in the dialog, the page
 * refreshed once it is done.
 */
export function ConfirmActionButton(props: {
  /** the button's visible text, and its accessible name (which contains it) */
  label: string;
  ariaLabel: string;
  title: string;
  description: string;
  confirmLabel: string;
  action: () => Promise<ActionResult<unknown>>;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    setOpen(false);
  };
  async function confirm() {
    setPending(true);
    setError(null);
    try {
      const result = await props.action();
      if (!result.ok) return setError(result.error);
      close();
      router.refresh();
    } catch {
      setError("Flightdeck could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} aria-label={props.ariaLabel}>
        {props.label}
      </Button>
      <Dialog open={open} onClose={close} title={props.title} description={props.description}>
        <div className="space-y-4">
          {error ? <Alert tone="error">{error}</Alert> : null}
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button variant="danger" pending={pending} onClick={() => void confirm()}>
              {props.confirmLabel}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
