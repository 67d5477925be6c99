import type { Tx } from "./client.ts";

/** Who did something, for the audit trail. */
export type AuditActor = { id: string; name: string; role: string };

/** The engine acting on its own (status changes, notifications it delivered). */
export const ENGINE_AUDIT_ACTOR: AuditActor = { id: "engine", name: "Flightdeck engine", role: "system" };

/** Appends one audit event (the table refuses UPDATE and DELETE). Always inside the change's transaction. */
export async function writeAudit(
  tx: Tx,
  e: { actor: AuditActor; action: string; runId?: string | null; summary: string; detail?: Record<string, unknown> },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: e.actor.id,
      actorName: e.actor.name,
      actorRole: e.actor.role,
      action: e.action,
      runId: e.runId ?? null,
      summary: e.summary,
      detail: (e.detail ?? {}) as object,
    },
  });
}
