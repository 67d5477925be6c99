"use client";
import { revokeApiTokenAction } from "@/server/actions/revoke-api-token";
import { ConfirmActionButton } from "@/components/ui/confirm-action-button";

/** Revokes a token after confirmation; whatever uses it is refused from the next request on. */
export function ApiTokenRevokeButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmActionButton
      label="Revoke"
      ariaLabel={`Revoke token ${name}`}
      title={`Revoke token “${name}”?`}
      description="Anything still sending it (CI jobs, metric shippers, alerting) is refused from its next request. This cannot be undone."
      confirmLabel="Revoke token"
      action={() => revokeApiTokenAction({ id })}
    />
  );
}
