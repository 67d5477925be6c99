"use client";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, controlClasses } from "@/components/ui/field";
import { useRunCommand, type CommandResult } from "./use-run-command";

export type RunCommandDialogProps = {
  runId: string;
  open: boolean;
  onClose: () => void;
};

/**
 * The shared shape of every "are you sure, and why?" dialog on a run: one reason, one confirm
 * button, the server's error shown in place so the person can fix it and retry.
 */
export function RunCommandDialog({
  runId,
  open,
  onClose,
  title,
  description,
  reasonLabel,
  reasonRequired,
  confirmLabel,
  confirmVariant = "primary",
  successMessage,
  submit,
}: RunCommandDialogProps & {
  title: string;
  description?: string;
  reasonLabel: string;
  reasonRequired: boolean;
  confirmLabel: string;
  confirmVariant?: ButtonVariant;
  successMessage: string;
  submit: (reason: string) => Promise<CommandResult>;
}) {
  const { execute, pending } = useRunCommand(runId);
  const [error, setError] = useState<string | null>(null);
  const [reasonError, setReasonError] = useState<string[] | undefined>(undefined);

  const close = () => {
    setError(null);
    setReasonError(undefined);
    onClose();
  };

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget).get("reason") ?? "").trim();
    if (reasonRequired && reason.length < 3) {
      setReasonError(["Give a reason (at least 3 characters)"]);
      return;
    }
    const result = await execute(() => submit(reason), successMessage);
    if (result.ok) return close();
    setError(result.error);
    setReasonError(result.fieldErrors?.reason);
  }

  return (
    <Dialog open={open} onClose={close} title={title} description={description}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error ? <Alert tone="error">{error}</Alert> : null}
        <Field label={reasonLabel} error={reasonError} hint={reasonRequired ? "Required. Recorded in the audit trail." : "Optional. Recorded in the audit trail."}>
          {(p) => <textarea {...p} name="reason" rows={3} autoFocus required={reasonRequired} maxLength={500} className={controlClasses} />}
        </Field>
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" variant={confirmVariant} pending={pending}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
