"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { revokeApiTokenAction } from "@/server/actions/revoke-api-token";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

/** Revokes a token after confirmation; whatever uses it is refused from the next request on. */
export function ApiTokenRevokeButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const close = () => {
    setError(null);
    setOpen(false);
  };

  async function revoke() {
    setPending(true);
    setError(null);
    try {
      const result = await revokeApiTokenAction({ id });
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
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} aria-label={`Revoke token ${name}`}>
        Revoke
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={`Revoke token “${name}”?`}
        description="Anything still sending it (CI jobs, metric shippers, alerting) is refused from its next request. This cannot be undone."
      >
        <div className="space-y-4">
          {error ? <Alert tone="error">{error}</Alert> : null}
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button variant="danger" pending={pending} onClick={() => void revoke()}>
              Revoke token
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
